"""Maker-checker: staff operations above the approval threshold, and closing an account that
has history, wait as pending items until a different user with role admin approves them.

Approval re-runs every check (account open, funds, the maker's drawer) at approval time and
posts in the same transaction that marks the item approved; a rejection moves nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountKind, AccountStatus, Actor, Caller, Role
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    AccountNotOpen,
    ApprovalState,
    BankError,
    IdempotencyConflict,
    MoneyRuleBroken,
    NotFound,
    PermissionDenied,
    SameAccount,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    describe,
    load_account,
    load_account_by_number,
    owner_name,
    require_admin,
    require_id,
    require_open_for_money,
    require_staff,
)
from bankapp.services.accounts import close_account
from bankapp.services.approval_rules import needs_approval
from bankapp.services.context import ServiceContext
from bankapp.services.drawers import require_drawer_account
from bankapp.services.ledger import caller_key, system_key
from bankapp.services.payments import clean_memo, post_cash, post_transfer
from bankapp.storage.database import Tx
from bankapp.storage.models import PendingApproval, User, table_of

_items = table_of(PendingApproval)
_users = table_of(User)

MONEY_KINDS = ("deposit", "withdrawal", "transfer")
CLOSE_ACCOUNT = "account_close"
MAX_PAGE = 200


@dataclass(frozen=True)
class ApprovalView:
    id: int
    kind: str
    amount: int
    account_id: int | None
    account_label: str
    target_label: str
    memo: str
    maker_id: int
    maker_name: str
    created_at: datetime
    status: str
    checker_name: str
    decided_at: datetime | None
    reason: str
    entry_id: int | None


@dataclass(frozen=True)
class ApprovalPage:
    items: tuple[ApprovalView, ...]
    next_cursor: int | None  # pass as `before_id` for the next (older) page


class ApprovalService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- makers ---------------------------------------------------------------------------

    def needs_approval(self, actor: Actor, amount: int) -> bool:
        """True when a staff member's operation of this amount must go through approval."""
        self._ctx.check_amount(amount)
        return self._ctx.read_as(
            actor, lambda tx, caller: needs_approval(self._ctx, caller, amount)
        )

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
        """Create a pending deposit, withdrawal or transfer; nothing moves until approved."""
        if kind not in MONEY_KINDS:
            raise ValidationFailed("Choose deposit, withdrawal or transfer.", field="kind")
        self._ctx.check_amount(amount)
        memo = clean_memo(memo)
        payload = {"memo": memo, "to": to_account_number}

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_staff(caller)
            account = accessible_account(tx, caller, account_id)
            require_open_for_money(account)
            if kind == "transfer":
                target = load_account_by_number(tx, to_account_number)
                if target.id == account.id:
                    raise SameAccount("Choose a different account to send to.", field="destination")
                require_open_for_money(target, field="destination")
                payload["to"] = target.number
            else:
                require_drawer_account(tx, caller)
            return self._insert(tx, caller, kind, account.id, amount, payload, idempotency_key)

        return self._ctx.write_as(actor, work)

    def submit_account_closure(
        self,
        actor: Actor,
        account_id: int,
        *,
        reason: str = "",
        idempotency_key: str | None = None,
    ) -> ApprovalView:
        """Ask for an account with history to be closed (its balance must be zero then)."""
        reason = clean_text(reason, field="reason", label="Reason", max_length=140, required=False)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_staff(caller)
            account = accessible_account(tx, caller, account_id)
            if account.kind == AccountKind.INTERNAL:
                raise PermissionDenied("Internal accounts cannot be closed.")
            if account.status == AccountStatus.CLOSED:
                raise AccountNotOpen("The account is already closed.")
            return self._insert(
                tx, caller, CLOSE_ACCOUNT, account.id, 0, {"memo": reason}, idempotency_key
            )

        return self._ctx.write_as(actor, work)

    def _insert(
        self,
        tx: Tx,
        actor: Caller,
        kind: str,
        account_id: int,
        amount: int,
        payload: dict[str, str],
        key: str | None,
    ) -> ApprovalView:
        body = json.dumps(payload, sort_keys=True)
        key = caller_key(actor, key)
        if key:
            found = tx.conn.execute(
                select(_items).where(_items.c.idempotency_key == key)
            ).one_or_none()
            if found is not None:
                same = (
                    found.maker_id,
                    found.kind,
                    found.account_id,
                    found.amount,
                    found.payload,
                ) == (actor.user_id, kind, account_id, amount, body)
                if not same:
                    raise IdempotencyConflict(
                        "This request id was already used for a different operation."
                    )
                return self._view(tx, found.id)
        item_id = tx.conn.execute(
            insert(_items)
            .values(
                kind=kind,
                payload=body,
                amount=amount,
                account_id=account_id,
                maker_id=actor.user_id,
                created_at=tx.now,
                status="pending",
                reason="",
                idempotency_key=key or None,
            )
            .returning(_items.c.id)
        ).scalar_one()
        audit.record(
            tx,
            actor,
            "approval.submit",
            f"approval {item_id}",
            {"kind": kind, "amount": amount, "account_id": account_id},
        )
        return self._view(tx, item_id)

    # -- checkers -------------------------------------------------------------------------

    def approve(self, actor: Actor, item_id: int) -> ApprovalView:
        """Post the item now, re-checking funds and state; an admin other than the maker only.

        If the operation is no longer possible (funds, a closed account or drawer), nothing
        moves, the item is marked failed with the reason, and the error is raised."""

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            item = self._decidable(tx, caller, item_id)
            entry_id = self._execute(tx, item)
            tx.conn.execute(
                update(_items)
                .where(_items.c.id == item.id, _items.c.status == "pending")
                .values(
                    status="approved",
                    checker_id=caller.user_id,
                    decided_at=tx.now,
                    entry_id=entry_id,
                )
            )
            audit.record(
                tx,
                caller,
                "approval.approve",
                f"approval {item.id}",
                {"kind": item.kind, "amount": item.amount, "entry_id": entry_id},
            )
            return self._view(tx, item.id)

        try:
            return self._ctx.write_as(actor, work)
        except (MoneyRuleBroken, NotFound) as error:
            refused = error
            self._ctx.write_as(actor, lambda tx, caller: self._fail(tx, caller, item_id, refused))
            raise

    def reject(self, actor: Actor, item_id: int, reason: str) -> ApprovalView:
        """Refuse the item with a reason; nothing moves."""
        reason = clean_text(reason, field="reason", label="Reason", max_length=200)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            item = self._decidable(tx, caller, item_id)
            tx.conn.execute(
                update(_items)
                .where(_items.c.id == item.id)
                .values(
                    status="rejected", checker_id=caller.user_id, decided_at=tx.now, reason=reason
                )
            )
            audit.record(
                tx,
                caller,
                "approval.reject",
                f"approval {item.id}",
                {"kind": item.kind, "amount": item.amount, "reason": reason},
            )
            return self._view(tx, item.id)

        return self._ctx.write_as(actor, work)

    def page(
        self,
        actor: Actor,
        *,
        status: str | None = "pending",
        before_id: int | None = None,
        limit: int = 50,
    ) -> ApprovalPage:
        """Items newest first; admins see every item, tellers only the ones they made."""
        limit = max(1, min(limit, MAX_PAGE))

        def work(tx: Tx, caller: Caller) -> ApprovalPage:
            require_staff(caller)
            query = select(_items.c.id).order_by(_items.c.id.desc()).limit(limit + 1)
            if status:
                query = query.where(_items.c.status == status)
            if caller.role != Role.ADMIN:
                query = query.where(_items.c.maker_id == caller.user_id)
            if before_id is not None:
                query = query.where(_items.c.id < require_id(before_id, NotFound, "page"))
            ids = list(tx.conn.execute(query).scalars())
            views = tuple(self._view(tx, i) for i in ids[:limit])
            return ApprovalPage(views, ids[limit - 1] if len(ids) > limit else None)

        return self._ctx.read_as(actor, work)

    def get(self, actor: Actor, item_id: int) -> ApprovalView:
        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_staff(caller)
            view = self._view(tx, item_id)
            if caller.role != Role.ADMIN and view.maker_id != caller.user_id:
                raise NotFound("No such approval item.")
            return view

        return self._ctx.read_as(actor, work)

    # -- shared steps ---------------------------------------------------------------------

    def _decidable(self, tx: Tx, actor: Caller, item_id: int) -> Any:
        require_admin(actor)
        require_id(item_id, NotFound, "approval item")
        item = tx.conn.execute(
            select(_items).where(_items.c.id == item_id).with_for_update()
        ).one_or_none()
        if item is None:
            raise NotFound("No such approval item.")
        if item.status != "pending":
            raise ApprovalState(f"This item was already {item.status}.")
        if item.maker_id == actor.user_id:
            raise ApprovalState("You made this request; another supervisor must decide it.")
        return item

    def _execute(self, tx: Tx, item: Any) -> int | None:
        """Carry out an approved item as its maker, through the same code a direct request
        uses; the key `approval:<id>` makes the posting happen at most once."""
        maker = self._maker(tx, item.maker_id)
        payload = json.loads(item.payload)
        account = load_account(tx, item.account_id)
        if item.kind == CLOSE_ACCOUNT:
            close_account(tx, self._ctx, maker, account)
            return None
        options: dict[str, Any] = {
            "memo": payload.get("memo", ""),
            "idempotency_key": system_key(f"approval:{item.id}"),
            "fingerprint": None,
            "audit_extra": {"approval": item.id},
        }
        if item.kind == "transfer":
            target = load_account_by_number(tx, payload["to"])
            result = post_transfer(tx, self._ctx, maker, account, target, item.amount, **options)
        else:
            cash = require_drawer_account(tx, maker)
            cash_in = item.kind == "deposit"
            result = post_cash(
                tx, self._ctx, maker, account, item.amount, cash_in=cash_in, cash=cash, **options
            )
        return result.entry_id

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

    @staticmethod
    def _maker(tx: Tx, maker_id: int) -> Caller:
        """The maker, as an approved item acts: their name and role now (no live session)."""
        row = tx.conn.execute(
            select(_users.c.id, _users.c.username, _users.c.role).where(_users.c.id == maker_id)
        ).one()
        return Caller(row.id, row.username, Role(row.role), session_id=0)

    def _view(self, tx: Tx, item_id: int) -> ApprovalView:
        require_id(item_id, NotFound, "approval item")
        row = tx.conn.execute(select(_items).where(_items.c.id == item_id)).one_or_none()
        if row is None:
            raise NotFound("No such approval item.")
        payload = json.loads(row.payload)
        names = {
            user.id: user.username
            for user in tx.conn.execute(
                select(_users.c.id, _users.c.username).where(
                    _users.c.id.in_([row.maker_id, row.checker_id or row.maker_id])
                )
            )
        }
        label = ""
        if row.account_id is not None:
            account = load_account(tx, row.account_id)
            label = f"{owner_name(tx, account.owner_id)}: {describe(account)}"
        target = payload.get("to", "")
        return ApprovalView(
            id=row.id,
            kind=row.kind,
            amount=row.amount,
            account_id=row.account_id,
            account_label=label,
            target_label=mask_account_number(target) if target else "",
            memo=payload.get("memo", ""),
            maker_id=row.maker_id,
            maker_name=names.get(row.maker_id, "?"),
            created_at=row.created_at,
            status=row.status,
            checker_name=names.get(row.checker_id, "") if row.checker_id else "",
            decided_at=row.decided_at,
            reason=row.reason,
            entry_id=row.entry_id,
        )
