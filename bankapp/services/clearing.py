"""Clearing: the holds whose time has come. An uncleared deposit clears (its hold is
released and the money becomes available), a card authorisation settles (posted to merchant
settlement), and an authorisation never settled, or a staff hold, expires.

Each step walks its holds in id order in batches, one transaction per batch; every hold ends
through a conditional update, so a run that stops half-way, or two runs at once, resolve each
hold once, and running again carries on where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bankapp.domain.types import Actor, Caller
from bankapp.services import audit
from bankapp.services.access import require_admin
from bankapp.services.cards.authorisation import settle_authorisation
from bankapp.services.context import ServiceContext
from bankapp.services.holds import resolve_hold
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Hold

_holds = Hold
_accounts = Account
BATCH = 500


@dataclass(frozen=True)
class ClearingRun:
    deposits_cleared: int = 0
    authorisations_settled: int = 0
    authorisations_expired: int = 0
    staff_holds_ended: int = 0

    def __add__(self, other: ClearingRun) -> ClearingRun:
        return ClearingRun(
            self.deposits_cleared + other.deposits_cleared,
            self.authorisations_settled + other.authorisations_settled,
            self.authorisations_expired + other.authorisations_expired,
            self.staff_holds_ended + other.staff_holds_ended,
        )

    @property
    def total(self) -> int:
        return (
            self.deposits_cleared
            + self.authorisations_settled
            + self.authorisations_expired
            + self.staff_holds_ended
        )


def _held(tx: Tx, kind: str, after_id: int, *, due_by: datetime | None) -> list[Any]:
    query = (
        select(_holds, _accounts.c.status.label("account_status"))
        .join(_accounts, _accounts.c.id == _holds.c.account_id)
        .where(_holds.c.status == "held", _holds.c.kind == kind, _holds.c.id > after_id)
        .order_by(_holds.c.id)
        .limit(BATCH)
    )
    if due_by is not None:
        query = query.where(_holds.c.release_at <= due_by)
    return list(tx.conn.execute(query).all())


def clear_deposits_batch(
    tx: Tx, by: Caller | None, due_by: datetime, after_id: int
) -> tuple[int, int, int, int]:
    """Close of business: clear one batch of deposits due by `due_by`: (last id, cleared,
    amount, 0)."""
    holds = _held(tx, "deposit", after_id, due_by=due_by)
    cleared = total = 0
    for hold in holds:
        if resolve_hold(tx, hold.id, "released", by=by) is not None:
            cleared += 1
            total += hold.amount
    return (holds[-1].id if holds else after_id), cleared, total, 0


def settle_cards_batch(
    tx: Tx, ctx: ServiceContext, by: Caller | None, due_by: datetime, after_id: int
) -> tuple[int, int, int, int]:
    """Close of business: one batch of card authorisations: expired ones (past `due_by`)
    released, the rest settled: (last id, settled, amount settled, expired or waiting)."""
    holds = _held(tx, "card", after_id, due_by=None)
    settled = total = other = 0
    for hold in holds:
        if hold.release_at is not None and hold.release_at <= due_by:
            other += resolve_hold(tx, hold.id, "expired", by=by) is not None
        elif hold.account_status == "open" and settle_authorisation(tx, ctx, hold, by):
            settled += 1
            total += hold.amount
        else:
            other += 1  # a frozen account's authorisation waits
    return (holds[-1].id if holds else after_id), settled, total, other


def clear_batch(
    tx: Tx, ctx: ServiceContext, by: Caller | None, after: dict[str, int]
) -> tuple[ClearingRun, int]:
    """One batch of each step, from where the last batch stopped (`after`, per step); also
    how many holds it looked at (0: nothing is left)."""
    seen = cleared = settled = expired = ended = 0
    for hold in _held(tx, "deposit", after.get("deposit", 0), due_by=tx.now):
        after["deposit"] = hold.id
        seen += 1
        cleared += resolve_hold(tx, hold.id, "released", by=by) is not None
    for hold in _held(tx, "card", after.get("expire", 0), due_by=tx.now):
        after["expire"] = hold.id
        seen += 1
        expired += resolve_hold(tx, hold.id, "expired", by=by) is not None
    for hold in _held(tx, "card", after.get("settle", 0), due_by=None):
        after["settle"] = hold.id
        seen += 1
        if hold.account_status == "open":  # a frozen account moves no money; it waits
            settled += settle_authorisation(tx, ctx, hold, by) is not None
    for hold in _held(tx, "staff", after.get("staff", 0), due_by=tx.now):
        after["staff"] = hold.id
        seen += 1
        ended += resolve_hold(tx, hold.id, "expired", by=by) is not None
    return ClearingRun(cleared, settled, expired, ended), seen


def run_clearing(ctx: ServiceContext, actor: Actor) -> ClearingRun:
    """Every due hold, batch by batch (each batch its own transaction), audited once. Holds
    that must wait (a frozen account's authorisation) are passed over, not retried."""
    after: dict[str, int] = {}
    total = ClearingRun()
    while True:
        # The cursor moves on only once its batch committed (a retried batch starts again).
        batch, seen, moved = ctx.write_as(
            actor, lambda tx, caller: _admin_batch(tx, ctx, caller, dict(after))
        )
        after.update(moved)
        total += batch
        if not seen:
            break

    def record(tx: Tx, caller: Caller) -> None:
        audit.record(tx, caller, "clearing.run", "holds", dict(total.__dict__))

    ctx.write_as(actor, record)
    return total


def _admin_batch(
    tx: Tx, ctx: ServiceContext, caller: Caller, cursor: dict[str, int]
) -> tuple[ClearingRun, int, dict[str, int]]:
    require_admin(caller)
    batch, seen = clear_batch(tx, ctx, caller, cursor)
    return batch, seen, cursor


class ClearingService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def process_due(self, actor: Actor) -> ClearingRun:
        """Admin: clear due deposits, settle authorisations, expire what has run out."""
        return run_clearing(self._ctx, actor)
