"""Holds: money reserved on an account without moving it (two-phase, as TigerBeetle's pending
transfers). An uncleared deposit is held until it clears; a card purchase is an authorisation
held until it settles; staff may hold money for a reason.

The account's `held` column is the sum of its active holds and moves in the same statement
that places or resolves one; the floor check of every debit is on `balance - held`, so two
holds, or a hold and a debit, cannot together overdraw. A hold is resolved at most once: each
resolution is a conditional update on `status = 'held'`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update

from bankapp.domain.money import format_cents
from bankapp.domain.types import Actor, Caller
from bankapp.domain.validation import check_moment, clean_text
from bankapp.errors import AccountNotOpen, InsufficientFunds, NotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import accessible_account, require_id, require_staff
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Hold

_holds = Hold
_accounts = Account
MAX_PAGE = 200

_RESERVE = (
    update(_accounts)
    .where(
        _accounts.c.id == bindparam("account_id"),
        _accounts.c.status == "open",
        or_(
            _accounts.c.unbounded.is_(True),
            _accounts.c.balance - _accounts.c.held - bindparam("amount")
            >= -_accounts.c.credit_limit,
        ),
    )
    .values(held=_accounts.c.held + bindparam("amount"))
    .returning(_accounts.c.held)
)
_HOLD_BACK = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(held=_accounts.c.held + bindparam("amount"))
)
_LET_GO = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(held=_accounts.c.held - bindparam("amount"))
)


@dataclass(frozen=True)
class HoldView:
    id: int
    account_id: int
    amount: int
    kind: str  # deposit | card | staff
    reason: str
    status: str  # held | released | expired | captured | returned
    created_at: datetime
    release_at: datetime | None
    resolved_at: datetime | None
    merchant: str
    entry_id: int | None


def to_hold_view(row: Any) -> HoldView:
    return HoldView(
        id=row.id,
        account_id=row.account_id,
        amount=row.amount,
        kind=row.kind,
        reason=row.reason,
        status=row.status,
        created_at=row.created_at,
        release_at=row.release_at,
        resolved_at=row.resolved_at,
        merchant=row.merchant,
        entry_id=row.entry_id,
    )


def place_hold(
    tx: Tx,
    account: Any,
    amount: int,
    kind: str,
    *,
    by: Caller | None,
    reason: str,
    release_at: datetime | None,
    reserve: bool,
    currency: str,
    entry_id: int | None = None,
    card_id: int | None = None,
    merchant: str = "",
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> int:
    """Hold `amount` on `account`. With `reserve` (an authorisation, a staff hold) the money
    must be available, checked in the statement that reserves it; without (a deposit just
    credited), the credit itself is held back."""
    values = {"account_id": account.id, "amount": amount}
    if reserve:
        if tx.conn.execute(_RESERVE, values).first() is None:
            if account.status != "open":
                raise AccountNotOpen("The account is not open; nothing can be held on it.")
            row = tx.conn.execute(
                select(_accounts.c.balance, _accounts.c.held, _accounts.c.credit_limit).where(
                    _accounts.c.id == account.id
                )
            ).one()
            available = row.balance - row.held + row.credit_limit
            raise InsufficientFunds(
                format_cents(available, currency), format_cents(amount, currency)
            )
    else:
        tx.conn.execute(_HOLD_BACK, values)
    return int(
        tx.conn.execute(
            insert(_holds)
            .values(
                account_id=account.id,
                amount=amount,
                kind=kind,
                reason=reason,
                status="held",
                created_by=by.user_id if by else None,
                created_at=tx.now,
                release_at=release_at,
                entry_id=entry_id,
                card_id=card_id,
                merchant=merchant,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
            )
            .returning(_holds.c.id)
        ).scalar_one()
    )


def resolve_hold(tx: Tx, hold_id: int, status: str, *, by: Caller | None) -> Any | None:
    """End an active hold (`released`, `expired`, `captured`, `returned`) and give its amount
    back to the account's available balance; None if it was no longer held (it ends once)."""
    row = tx.conn.execute(
        update(_holds)
        .where(_holds.c.id == hold_id, _holds.c.status == "held")
        .values(status=status, resolved_at=tx.now, resolved_by=by.user_id if by else None)
        .returning(*_holds.c)
    ).one_or_none()
    if row is not None:
        tx.conn.execute(_LET_GO, {"account_id": row.account_id, "amount": row.amount})
    return row


def load_hold(tx: Tx, hold_id: int) -> Any:
    require_id(hold_id, NotFound, "hold")
    row = tx.conn.execute(select(_holds).where(_holds.c.id == hold_id)).one_or_none()
    if row is None:
        raise NotFound("No such hold.")
    return row


class HoldService:
    """Holds on accounts: who may see them, and staff's releases, returns and holds."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list_holds(
        self, actor: Actor, account_id: int, *, active_only: bool = True, limit: int = 50
    ) -> list[HoldView]:
        """An account's holds, newest first (the owner and staff)."""
        limit = max(1, min(limit, MAX_PAGE))

        def work(tx: Tx, caller: Caller) -> list[HoldView]:
            account = accessible_account(tx, caller, account_id)
            query = select(_holds).where(_holds.c.account_id == account.id)
            if active_only:
                query = query.where(_holds.c.status == "held")
            rows = tx.conn.execute(query.order_by(_holds.c.id.desc()).limit(limit)).all()
            return [to_hold_view(row) for row in rows]

        return self._ctx.read_as(actor, work)

    def place(
        self, actor: Actor, account_id: int, amount: int, reason: str, *, until: datetime
    ) -> HoldView:
        """Staff hold available money on a customer's account for a reason, until a time."""
        self._ctx.check_amount(amount)
        reason = _reason(reason)
        until = check_moment(until, field="until")

        def work(tx: Tx, caller: Caller) -> HoldView:
            require_staff(caller)
            account = accessible_account(tx, caller, account_id)
            if until <= tx.now:
                raise ValidationFailed("A hold ends in the future.", field="until")
            hold_id = place_hold(
                tx,
                account,
                amount,
                "staff",
                by=caller,
                reason=reason,
                release_at=until,
                reserve=True,
                currency=self._ctx.settings.currency,
            )
            audit.record(
                tx,
                caller,
                "hold.place",
                f"hold {hold_id}",
                {"account_id": account.id, "amount": amount, "reason": reason},
            )
            return to_hold_view(load_hold(tx, hold_id))

        return self._ctx.write_as(actor, work)

    def release(self, actor: Actor, hold_id: int, reason: str) -> HoldView:
        """Staff end a hold early: a deposit becomes available now, an authorisation is
        voided, a staff hold is lifted."""
        reason = _reason(reason)

        def work(tx: Tx, caller: Caller) -> HoldView:
            require_staff(caller)
            hold = load_hold(tx, hold_id)
            accessible_account(tx, caller, hold.account_id)
            if resolve_hold(tx, hold.id, "released", by=caller) is None:
                raise ValidationFailed(f"This hold was already {hold.status}.")
            audit.record(
                tx,
                caller,
                "hold.release",
                f"hold {hold.id}",
                {"account_id": hold.account_id, "amount": hold.amount, "reason": reason},
            )
            return to_hold_view(load_hold(tx, hold.id))

        return self._ctx.write_as(actor, work)


def _reason(reason: str) -> str:
    return clean_text(reason, field="reason", label="Reason", max_length=200)
