"""Maker-checker: requests that wait for a second person, and their decisions.

What waits: staff cash and transfers that take a customer's day over the threshold
(`limits.charge_reportable`), closing an account with history, a drawer's opening cash over
the maximum and a drawer count off by more than the tolerance, credit card applications, and
changes to people's access (a new staff user, a raised role, a staff user enabled again, a
password or second-factor reset, a staff user unlocked), and changes to the installation
settings.

`items.py` holds what a request is and the four-eyes rule (`decidable`); `execution.py`
carries an approved request out through the same code a direct request uses. Approval posts
in the transaction that marks the item approved (the row is locked, so two admins approving
at once post it once); a request that became impossible is marked failed, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from bankapp.domain.types import Actor, Caller, Role
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    BankError,
    DrawerState,
    MoneyRuleBroken,
    NotFound,
    RequestOutdated,
    SameAccount,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    load_account_by_number,
    require_id,
    require_open_for_money,
    require_staff,
)
from bankapp.services.accounts import require_closable
from bankapp.services.approvals.execution import execute, reopen_drawer_after_rejection
from bankapp.services.approvals.items import (
    CASH_KINDS,
    CLOSE_ACCOUNT,
    CREDIT_CARD,
    DRAWER_CLOSE,
    DRAWER_OPENING_CASH,
    MONEY_KINDS,
    SETTING_CHANGE,
    ApprovalPage,
    ApprovalPreview,
    ApprovalView,
    decidable,
    file_request,
    item_view,
    maker_of,
)
from bankapp.services.cards.applications import decided_limit
from bankapp.services.context import ServiceContext
from bankapp.services.drawers import (
    drawer_row,
    open_drawer_row,
    require_no_waiting_requests,
    require_open_drawer,
)
from bankapp.services.limits import would_need_approval
from bankapp.services.payments import clean_memo
from bankapp.services.previews import customer_parties, entry_balances
from bankapp.storage.database import Tx
from bankapp.storage.models import CashDrawer, PendingApproval

__all__ = ["CASH_KINDS", "ApprovalPage", "ApprovalPreview", "ApprovalService", "ApprovalView"]

_items = PendingApproval
_drawers = CashDrawer
MAX_PAGE = 200


class ApprovalService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- makers ---------------------------------------------------------------------------

    def needs_approval(self, actor: Actor, account_id: int, amount: int) -> bool:
        """True when a staff member's cash or transfer of `amount` for this account's holder
        would take the holder's day over the threshold (what `charge_reportable` refuses)."""
        self._ctx.check_amount(amount)

        def work(tx: Tx, caller: Caller) -> bool:
            account = accessible_account(tx, caller, account_id)
            return would_need_approval(tx, self._ctx, caller, account.owner_id, amount)

        return self._ctx.read_as(actor, work)

    def submit(
        self,
        actor: Actor,
        kind: str,
        account_id: int,
        amount: int,
        *,
        to_account_number: str = "",
        memo: str = "",
        idempotency_key: str | None = None,
    ) -> ApprovalView:
        """A cash deposit or withdrawal at the maker's drawer, or a transfer, for a
        supervisor; nothing moves until it is approved. Cash stays with the drawer."""
        if kind not in MONEY_KINDS:
            raise ValidationFailed("Choose deposit, withdrawal or transfer.", field="kind")
        self._ctx.check_amount(amount)
        memo = clean_memo(memo)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_staff(caller)
            account = accessible_account(tx, caller, account_id)
            require_open_for_money(account)
            payload = {"memo": memo, "to": ""}
            drawer_id = None
            if kind == "transfer":
                target = load_account_by_number(tx, to_account_number)
                if target.id == account.id:
                    raise SameAccount("Choose a different account to send to.", field="destination")
                require_open_for_money(target, field="destination")
                payload["to"] = target.number
            else:
                drawer_id = require_open_drawer(tx, caller).id  # where the cash is taken
            return file_request(
                tx,
                caller,
                kind,
                amount=amount,
                account_id=account.id,
                drawer_id=drawer_id,
                payload=payload,
                idempotency_key=idempotency_key,
            )

        return self._ctx.write_as(actor, work)

    def submit_account_closure(
        self,
        actor: Actor,
        account_id: int,
        *,
        reason: str = "",
        idempotency_key: str | None = None,
    ) -> ApprovalView:
        """Ask for an account with history to be closed; refused now, with the reason, when
        it could not be closed (a balance, money on hold)."""
        reason = clean_text(reason, field="reason", label="Reason", max_length=140, required=False)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_staff(caller)
            account = accessible_account(tx, caller, account_id)
            require_closable(self._ctx, account)  # it would only fail at approval otherwise
            return file_request(
                tx,
                caller,
                CLOSE_ACCOUNT,
                account_id=account.id,
                payload={"memo": reason},
                idempotency_key=idempotency_key,
            )

        return self._ctx.write_as(actor, work)

    def submit_opening_cash(
        self, actor: Actor, opening_cash: int, *, idempotency_key: str | None = None
    ) -> ApprovalView:
        """Ask to open the maker's drawer with opening cash over the maximum."""
        self._ctx.check_amount(opening_cash, field="opening_cash")

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_staff(caller)
            if open_drawer_row(tx, caller) is not None:
                raise DrawerState("Your drawer is already open; close it before opening another.")
            return file_request(
                tx,
                caller,
                DRAWER_OPENING_CASH,
                amount=opening_cash,
                idempotency_key=idempotency_key,
            )

        return self._ctx.write_as(actor, work)

    def submit_drawer_close(
        self, actor: Actor, counted_cash: int, *, idempotency_key: str | None = None
    ) -> ApprovalView:
        """Ask a supervisor to close the maker's drawer with this count (the difference is over
        the tolerance); meanwhile the drawer takes no cash."""
        self._ctx.check_amount(counted_cash, field="counted_cash", allow_zero=True)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_staff(caller)
            drawer = open_drawer_row(tx, caller, lock=True)
            if drawer is None or drawer.status != "open":
                raise DrawerState("You have no open drawer to close.")
            require_no_waiting_requests(tx, drawer)
            tx.conn.execute(
                update(_drawers).where(_drawers.c.id == drawer.id).values(status="closing")
            )
            return file_request(
                tx,
                caller,
                DRAWER_CLOSE,
                amount=counted_cash,
                drawer_id=drawer.id,
                idempotency_key=idempotency_key,
            )

        return self._ctx.write_as(actor, work)

    # -- checkers -------------------------------------------------------------------------

    def approve(
        self, actor: Actor, item_id: int, *, credit_limit: int | None = None
    ) -> ApprovalView:
        """Carry the request out now, re-checking everything (funds, the drawer, accounts);
        by a supervisor other than the maker (four eyes, see `items.decidable`), or, for a
        credit application within the teller's limit, another teller. `credit_limit` is the
        limit the checker decides (default: the one asked for).

        If the request is no longer possible, nothing happens, the item is marked failed with
        the reason, and the error is raised."""
        require_id(item_id, NotFound, "approval item")  # before it is used to mark a failure
        work = self._approve_work(item_id, credit_limit)
        try:
            approved = self._ctx.write_as(actor, lambda tx, caller: work(tx, caller)[0])
        except (MoneyRuleBroken, NotFound, RequestOutdated) as error:
            refused = error
            self._ctx.write_as(actor, lambda tx, caller: self._fail(tx, caller, item_id, refused))
            raise
        if approved.kind == SETTING_CHANGE:
            self._ctx.reload_settings()  # this workstation uses the new value at once
        return approved

    def preview_approve(
        self, actor: Actor, item_id: int, *, credit_limit: int | None = None
    ) -> ApprovalPreview:
        """What `approve` would do now, by its own checks and its own execution, rolled back:
        nothing moves and the request stays pending (a refusal is raised, not recorded)."""
        require_id(item_id, NotFound, "approval item")
        work = self._approve_work(item_id, credit_limit)

        def described(tx: Tx, caller: Caller) -> ApprovalPreview:
            before = item_view(tx, item_id)
            _, entry_id = work(tx, caller)
            drawer = None if before.drawer_id is None else drawer_row(tx, before.drawer_id)
            if drawer is not None and before.kind == DRAWER_CLOSE:
                return ApprovalPreview(before, (), 0, drawer.difference)
            if entry_id is None:
                return ApprovalPreview(before)
            balances = entry_balances(tx, entry_id)
            return ApprovalPreview(
                before,
                customer_parties(tx, caller, balances),
                None if drawer is None else -balances.get(drawer.account_id, 0),
            )

        return self._ctx.preview_as(actor, described)

    def _approve_work(
        self, item_id: int, credit_limit: int | None
    ) -> Callable[[Tx, Caller], tuple[ApprovalView, int | None]]:
        """The one unit of work of approving a request: the decided item and its entry."""

        def work(tx: Tx, caller: Caller) -> tuple[ApprovalView, int | None]:
            item = decidable(tx, caller, item_id)
            decided = self._credit_decision(caller, item, credit_limit)
            outcome = execute(tx, self._ctx, item, maker_of(tx, item.maker_id), caller)
            tx.conn.execute(
                update(_items)
                .where(_items.c.id == item.id, _items.c.status == "pending")
                .values(
                    status="approved",
                    checker_id=caller.user_id,
                    decided_at=tx.now,
                    entry_id=outcome.entry_id,
                    decided_amount=decided,
                    target_user_id=outcome.target_user_id or item.target_user_id,
                )
            )
            audit.record(
                tx,
                caller,
                "approval.approve",
                f"approval {item.id}",
                {
                    "kind": item.kind,
                    "amount": item.amount,
                    "decided": decided,
                    "entry_id": outcome.entry_id,
                },
            )
            view = item_view(tx, item.id, temporary_password=outcome.temporary_password)
            return view, outcome.entry_id

        return work

    def _credit_decision(self, checker: Caller, item: Any, credit_limit: int | None) -> int | None:
        if item.kind != CREDIT_CARD:
            if credit_limit is not None:
                raise ValidationFailed("Only a credit application takes a credit limit.")
            return None
        return decided_limit(self._ctx, checker, int(item.amount), credit_limit)

    def reject(self, actor: Actor, item_id: int, reason: str) -> ApprovalView:
        """Refuse the request with a reason; nothing happens (a drawer waiting to close opens
        again for a recount)."""
        reason = clean_text(reason, field="reason", label="Reason", max_length=200)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            item = decidable(tx, caller, item_id)
            tx.conn.execute(
                update(_items)
                .where(_items.c.id == item.id)
                .values(
                    status="rejected", checker_id=caller.user_id, decided_at=tx.now, reason=reason
                )
            )
            reopen_drawer_after_rejection(tx, item)
            audit.record(
                tx,
                caller,
                "approval.reject",
                f"approval {item.id}",
                {"kind": item.kind, "amount": item.amount, "reason": reason},
            )
            return item_view(tx, item.id)

        return self._ctx.write_as(actor, work)

    def page(
        self,
        actor: Actor,
        *,
        status: str | None = "pending",
        before_id: int | None = None,
        limit: int = 50,
    ) -> ApprovalPage:
        """Items newest first; admins see every item, tellers the ones they made and the
        credit applications they may decide."""
        limit = max(1, min(limit, MAX_PAGE))

        def work(tx: Tx, caller: Caller) -> ApprovalPage:
            require_staff(caller)
            query = select(_items.c.id).order_by(_items.c.id.desc()).limit(limit + 1)
            if status:
                query = query.where(_items.c.status == status)
            if caller.role != Role.ADMIN:
                query = query.where(
                    (_items.c.maker_id == caller.user_id) | (_items.c.kind == CREDIT_CARD)
                )
            if before_id is not None:
                query = query.where(_items.c.id < require_id(before_id, NotFound, "page"))
            ids = list(tx.conn.execute(query).scalars())
            views = tuple(item_view(tx, i) for i in ids[:limit])
            return ApprovalPage(views, ids[limit - 1] if len(ids) > limit else None)

        return self._ctx.read_as(actor, work)

    def get(self, actor: Actor, item_id: int) -> ApprovalView:
        def work(tx: Tx, caller: Caller) -> ApprovalView:
            view = item_view(tx, item_id)
            if caller.role == Role.ADMIN or view.maker_id == caller.user_id:
                return view
            if caller.is_staff and view.kind == CREDIT_CARD:
                return view
            if view.target_user_id == caller.user_id and view.kind == CREDIT_CARD:
                return view  # a customer's own application
            raise NotFound("No such approval item.")

        return self._ctx.read_as(actor, work)

    def _fail(self, tx: Tx, actor: Caller, item_id: int, error: BankError) -> None:
        done = tx.conn.execute(
            update(_items)
            .where(_items.c.id == item_id, _items.c.status == "pending")
            .values(
                status="failed",
                checker_id=actor.user_id,
                decided_at=tx.now,
                reason=error.message[:200],
            )
        ).rowcount
        if done:
            audit.record(
                tx,
                actor,
                "approval.failed",
                f"approval {item_id}",
                {"reason": error.message[:200], "code": error.code},
            )
