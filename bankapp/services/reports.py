"""End-of-day report: every drawer opened that day (opening cash, cash in and out, expected,
counted, difference) and the day's journal entries totalled per kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from bankapp.domain.types import Actor, Caller, Role
from bankapp.domain.validation import check_day
from bankapp.services.access import require_staff
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import CashDrawer, JournalEntry, Posting, User

_drawers = CashDrawer
_entries = JournalEntry
_postings = Posting
_users = User


@dataclass(frozen=True)
class DrawerLine:
    drawer_id: int
    teller: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    opening_cash: int
    cash_in: int
    cash_out: int
    expected: int
    counted: int | None
    difference: int | None


@dataclass(frozen=True)
class KindTotal:
    kind: str
    count: int
    total: int  # sum of the money each entry moved


@dataclass(frozen=True)
class DayReport:
    day: date
    drawers: tuple[DrawerLine, ...]
    kinds: tuple[KindTotal, ...]

    @property
    def total_difference(self) -> int:
        return sum(d.difference or 0 for d in self.drawers)


class ReportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def end_of_day(self, actor: Actor, day: date | None = None) -> DayReport:
        """The day's report (default: today, UTC). Admins see every drawer; a teller sees
        only their own drawers and the bank-wide totals per kind."""
        day = check_day(day or self._ctx.db.clock.now().date(), field="day")
        start = datetime.combine(day, time())
        end = start + timedelta(days=1)

        def work(tx: Tx, caller: Caller) -> DayReport:
            require_staff(caller)
            stmt = (
                select(_drawers, _users.c.username)
                .join(_users, _users.c.id == _drawers.c.teller_id)
                .where(_drawers.c.opened_at >= start, _drawers.c.opened_at < end)
                .order_by(_drawers.c.id)
            )
            if caller.role != Role.ADMIN:
                stmt = stmt.where(_drawers.c.teller_id == caller.user_id)
            drawers = tuple(self._drawer_line(tx, row) for row in tx.conn.execute(stmt))
            return DayReport(day, drawers, self._kinds(tx, start, end))

        return self._ctx.read_as(actor, work)

    @staticmethod
    def _drawer_line(tx: Tx, row: Any) -> DrawerLine:
        moved = {
            r.kind: int(r.total)
            for r in tx.conn.execute(
                select(_entries.c.kind, func.sum(_postings.c.amount).label("total"))
                .join(_entries, _entries.c.id == _postings.c.entry_id)
                .where(_postings.c.account_id == row.account_id)
                .group_by(_entries.c.kind)
            )
        }
        # The drawer account's balance is minus its cash: deposits push it down.
        cash_in = -moved.get("deposit", 0)
        cash_out = moved.get("withdrawal", 0)
        opening = int(row.opening_cash)
        return DrawerLine(
            drawer_id=row.id,
            teller=row.username,
            status=row.status,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            opening_cash=opening,
            cash_in=cash_in,
            cash_out=cash_out,
            expected=opening + cash_in - cash_out,
            counted=row.counted_cash,
            difference=row.difference,
        )

    @staticmethod
    def _kinds(tx: Tx, start: datetime, end: datetime) -> tuple[KindTotal, ...]:
        moved = (
            select(_postings.c.entry_id, func.sum(_postings.c.amount).label("moved"))
            .where(_postings.c.amount > 0)
            .group_by(_postings.c.entry_id)
            .subquery()
        )
        rows = tx.conn.execute(
            select(
                _entries.c.kind,
                func.count().label("n"),
                func.coalesce(func.sum(moved.c.moved), 0).label("total"),
            )
            .join(moved, moved.c.entry_id == _entries.c.id)
            .where(_entries.c.created_at >= start, _entries.c.created_at < end)
            .group_by(_entries.c.kind)
            .order_by(_entries.c.kind)
        )
        return tuple(KindTotal(r.kind, int(r.n), int(r.total)) for r in rows)
