"""Account use cases: open, list, view, rename, freeze, unfreeze, close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from bankapp.domain.account_numbers import mask_account_number, new_account_number
from bankapp.domain.card_numbers import mask_pan
from bankapp.domain.card_types import CardStatus
from bankapp.domain.types import (
    CUSTOMER_ACCOUNT_KINDS,
    AccountClosePreview,
    AccountKind,
    AccountStatus,
    AccountView,
    Actor,
    Caller,
)
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    AccountNotEmpty,
    AccountNotOpen,
    ApprovalRequired,
    PermissionDenied,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    customer_account,
    customer_for,
    holder_name,
    load_account_by_number,
    owner_name,
    require_staff,
    to_view,
)
from bankapp.services.account_rows import insert_account
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import has_postings
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Card, User

_accounts = Account
_cards = Card
_users = User
MAX_OPEN_ACCOUNTS = 20


def require_closable(ctx: ServiceContext, account: Any) -> None:
    """Why `account` cannot be closed now, if it cannot: the one check for a direct close,
    a closing request (refused when filed, not only when approved) and its approval."""
    if account.kind == AccountKind.INTERNAL:
        raise PermissionDenied("Internal accounts cannot be closed.")
    if account.status == AccountStatus.CLOSED:
        raise AccountNotOpen("The account is already closed.")
    if account.balance != 0:
        raise AccountNotEmpty(
            f"The balance is {ctx.money(account.balance)}; move it to another account "
            "before closing."
        )
    if account.held:
        raise AccountNotEmpty(
            f"{ctx.money(account.held)} is on hold (an uncleared deposit or a card purchase "
            "waiting to settle); close the account once it has cleared."
        )


def close_account(tx: Tx, ctx: ServiceContext, actor: Caller, account: Any) -> list[str]:
    """Close `account` (refused unless its balance is zero), cancel its cards and audit it:
    the one rule for closing, used by a direct close and by an approved closing request.
    Returns the masked numbers of the cards cancelled."""
    require_closable(ctx, account)
    closed = tx.conn.execute(
        update(_accounts)
        .where(
            _accounts.c.id == account.id,
            _accounts.c.status != AccountStatus.CLOSED.value,
            _accounts.c.balance == 0,
            _accounts.c.held == 0,
        )
        .values(status=AccountStatus.CLOSED.value, closed_at=tx.now)
    ).rowcount
    if not closed:  # money arrived, or another close won, since the account was read
        raise AccountNotEmpty("The account changed while closing it; look at it again.")
    audit.record(
        tx,
        actor,
        "account.close",
        f"account {account.id}",
        {"number": mask_account_number(account.number)},
    )
    return cancel_account_cards(tx, actor, account.id)


def cancel_account_cards(
    tx: Tx, actor: Caller | None, account_id: int, *, actor_name: str | None = None
) -> list[str]:
    """Cancel every card still usable on `account_id`, which is being closed (or was), each
    audited as a cancel by `actor` (None: the bank itself, as `actor_name`); the masked
    numbers of the cards cancelled."""
    usable = (CardStatus.ACTIVE.value, CardStatus.FROZEN.value)
    rows = tx.conn.execute(
        select(_cards.c.id, _cards.c.last4, _cards.c.status)
        .where(_cards.c.account_id == account_id, _cards.c.status.in_(usable))
        .order_by(_cards.c.id)
        .with_for_update()
    ).all()
    for row in rows:
        tx.conn.execute(
            update(_cards)
            .where(_cards.c.id == row.id)
            .values(
                status=CardStatus.CANCELLED.value,
                frozen_by_bank=actor is None or actor.is_staff,
            )
        )
        audit.record(
            tx,
            actor,
            "card.cancel",
            f"card {row.id}",
            {"card": mask_pan(row.last4), "from": row.status, "reason": "account closed"},
            actor_name=actor_name,
        )
    return [mask_pan(row.last4) for row in rows]


class AccountService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def open(
        self, actor: Actor, kind: AccountKind | str, name: str = "", *, owner_id: int | None = None
    ) -> AccountView:
        """Open a checking, savings or business account for the actor (staff: for a customer)."""
        try:
            kind = AccountKind(kind)
        except ValueError:
            raise ValidationFailed("Choose checking, savings or business.", field="kind") from None
        if kind not in CUSTOMER_ACCOUNT_KINDS:
            raise ValidationFailed("Choose checking, savings or business.", field="kind")
        name = clean_text(name, field="name", label="Account name", max_length=60, required=False)
        name = name or kind.value.capitalize()

        def work(tx: Tx, caller: Caller) -> AccountView:
            owner = customer_for(tx, caller, owner_id, holding="accounts", new=True)
            count = tx.conn.execute(
                select(_accounts.c.id).where(
                    _accounts.c.owner_id == owner, _accounts.c.status != "closed"
                )
            ).all()
            if len(count) >= MAX_OPEN_ACCOUNTS:
                raise ValidationFailed(f"A customer can hold at most {MAX_OPEN_ACCOUNTS} accounts.")
            account_id = insert_account(
                tx,
                number=new_account_number,
                owner_id=owner,
                kind=kind,
                name=name,
                currency=self._ctx.settings.currency,
            )
            audit.record(
                tx,
                caller,
                "account.open",
                f"account {account_id}",
                {"owner_id": owner, "kind": kind.value, "name": name},
            )
            return self._view(tx, account_id)

        return self._ctx.write_as(actor, work)

    def list_accounts(self, actor: Actor, *, owner_id: int | None = None) -> list[AccountView]:
        """The actor's own accounts, or (for staff) a customer's, oldest first."""

        def work(tx: Tx, caller: Caller) -> list[AccountView]:
            owner = customer_for(tx, caller, owner_id, holding="accounts")
            rows = tx.conn.execute(
                select(_accounts).where(_accounts.c.owner_id == owner).order_by(_accounts.c.id)
            ).all()
            name = owner_name(tx, owner)
            return [to_view(row, name) for row in rows]

        return self._ctx.read_as(actor, work)

    def get(self, actor: Actor, account_id: int) -> AccountView:
        def work(tx: Tx, caller: Caller) -> AccountView:
            row = accessible_account(tx, caller, account_id)
            return to_view(row, owner_name(tx, row.owner_id))

        return self._ctx.read_as(actor, work)

    def find_destination(self, actor: Actor, number: str) -> str:
        """Confirm a destination account exists and say how to show it: owner's initial and
        surname with the masked number, never the balance of someone else's account."""

        def work(tx: Tx, caller: Caller) -> str:
            row = load_account_by_number(tx, number)
            return f"{holder_name(tx, caller, row)} {mask_account_number(row.number)}"

        return self._ctx.read_as(actor, work)

    def rename(self, actor: Actor, account_id: int, name: str) -> AccountView:
        name = clean_text(name, field="name", label="Account name", max_length=60)

        def work(tx: Tx, caller: Caller) -> AccountView:
            row = customer_account(tx, caller, account_id)
            if row.status == AccountStatus.CLOSED:
                raise AccountNotOpen("A closed account cannot be renamed.")
            tx.conn.execute(update(_accounts).where(_accounts.c.id == row.id).values(name=name))
            audit.record(
                tx, caller, "account.rename", f"account {row.id}", {"from": row.name, "to": name}
            )
            return self._view(tx, row.id)

        return self._ctx.write_as(actor, work)

    def freeze(self, actor: Actor, account_id: int, reason: str = "") -> AccountView:
        return self._set_status(actor, account_id, AccountStatus.FROZEN, reason)

    def unfreeze(self, actor: Actor, account_id: int, reason: str = "") -> AccountView:
        return self._set_status(actor, account_id, AccountStatus.OPEN, reason)

    def close(self, actor: Actor, account_id: int) -> AccountView:
        """Close an account with a zero balance, and cancel its cards; it is kept (never
        deleted) with its history. Staff closing an account that has history go through
        approval."""
        work = self._close_work(account_id)
        return self._ctx.write_as(actor, lambda tx, caller: work(tx, caller).account)

    def preview_close(self, actor: Actor, account_id: int) -> AccountClosePreview:
        """What `close` would do, by its own checks, rolled back: refused as `close` refuses
        (a balance or money on hold, say), or the cards it would cancel; for staff closing an
        account with history, why a supervisor decides (`approval`)."""
        try:
            return self._ctx.preview_as(actor, self._close_work(account_id))
        except ApprovalRequired as needs:
            account = self.get(actor, account_id)
            return AccountClosePreview(account, approval=needs.message)

    def _close_work(self, account_id: int) -> Callable[[Tx, Caller], AccountClosePreview]:
        """The one unit of work of closing an account (`close`)."""

        def work(tx: Tx, caller: Caller) -> AccountClosePreview:
            row = customer_account(tx, caller, account_id)
            require_closable(self._ctx, row)  # a funded account is refused before any request
            if caller.is_staff and has_postings(tx, row.id):
                raise ApprovalRequired(
                    "This account has history: closing it needs a supervisor's approval."
                )
            cards = close_account(tx, self._ctx, caller, row)
            return AccountClosePreview(self._view(tx, row.id), tuple(cards))

        return work

    # -- shared steps ---------------------------------------------------------------------

    def _set_status(
        self, actor: Actor, account_id: int, status: AccountStatus, reason: str
    ) -> AccountView:
        reason = clean_text(reason, field="reason", label="Reason", max_length=200, required=False)

        def work(tx: Tx, caller: Caller) -> AccountView:
            require_staff(caller)
            row = customer_account(tx, caller, account_id)
            if row.status == AccountStatus.CLOSED:
                raise AccountNotOpen("The account is closed.")
            if row.status == status:
                raise AccountNotOpen(f"The account is already {status.value}.")
            tx.conn.execute(
                update(_accounts).where(_accounts.c.id == row.id).values(status=status.value)
            )
            kind = "account.freeze" if status == AccountStatus.FROZEN else "account.unfreeze"
            audit.record(tx, caller, kind, f"account {row.id}", {"reason": reason})
            return self._view(tx, row.id)

        return self._ctx.write_as(actor, work)

    def _view(self, tx: Tx, account_id: int) -> AccountView:
        row = tx.conn.execute(select(_accounts).where(_accounts.c.id == account_id)).one()
        return to_view(row, owner_name(tx, row.owner_id))
