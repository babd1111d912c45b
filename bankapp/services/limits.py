"""Daily limits that cannot be split: what a customer moved in one business day, counted
per kind in `daily_totals`, and checked in the same statement that adds to the count.

- a customer's own limits: check deposits, ATM cash, transfers to other customers (over one:
  refused, saying the limit and what is left today);
- the approval threshold: the day's cash in, cash out and transfers out of a customer,
  summed (the currency-transaction model: $10,000 in one day, however it is split); a staff
  operation that takes the sum over it waits for a supervisor.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from bankapp.domain.types import Caller
from bankapp.errors import ApprovalRequired, DailyLimitExceeded
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.direct_statements import fetch_one
from bankapp.storage.models import DailyTotal

_totals = DailyTotal

CHECK_DEPOSITS = "check_deposits"
ATM_CASH = "atm_cash"
TRANSFERS_OUT = "transfers_out"
# Cash in, cash out and transfers out, every channel: what the approval threshold sums.
REPORTABLE = "reportable"

LIMIT_LABELS = {
    CHECK_DEPOSITS: "check deposits",
    ATM_CASH: "ATM cash",
    TRANSFERS_OUT: "transfers to other customers",
}

NO_CEILING = 2**62


def _upsert(dialect: object) -> object:
    """Add to today's count, creating it, in one statement; a count that would pass the
    ceiling is left as it was and nothing is returned. PostgreSQL and SQLite (3.35+) agree
    on this `INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING`."""
    insert = dialect.insert(_totals).values(  # type: ignore[attr-defined]
        customer_id=bindparam("customer"),
        business_date=bindparam("day"),
        kind=bindparam("total_kind"),
        total=bindparam("amount"),
    )
    return insert.on_conflict_do_update(
        index_elements=[_totals.c.customer_id, _totals.c.business_date, _totals.c.kind],
        set_={"total": _totals.c.total + insert.excluded.total},
        where=_totals.c.total + insert.excluded.total <= bindparam("ceiling"),
    ).returning(_totals.c.total)


_ADD = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


def business_day(tx: Tx) -> date:
    """The business day an operation counts for."""
    return tx.now.date()


def add_to_total(tx: Tx, customer_id: int, kind: str, amount: int, ceiling: int) -> bool:
    """Add `amount` to the customer's total of `kind` today unless that takes it over
    `ceiling`; one conditional upsert, so concurrent operations cannot both slip under."""
    if amount > ceiling:
        return False  # a first count over the ceiling would otherwise be inserted
    values = {
        "customer": customer_id,
        "day": business_day(tx),
        "total_kind": kind,
        "amount": amount,
        "ceiling": ceiling,
    }
    statement = _ADD[tx.conn.dialect.name]
    return fetch_one(tx.conn, statement, values) is not None  # type: ignore[arg-type]


def total_today(tx: Tx, customer_id: int, kind: str) -> int:
    value = tx.conn.execute(
        select(_totals.c.total).where(
            _totals.c.customer_id == customer_id,
            _totals.c.business_date == business_day(tx),
            _totals.c.kind == kind,
        )
    ).scalar_one_or_none()
    return int(value or 0)


def charge_daily_limit(
    tx: Tx, ctx: ServiceContext, customer_id: int, kind: str, amount: int, limit: int
) -> None:
    """Count `amount` against a customer's own daily limit, or refuse saying what is left."""
    if add_to_total(tx, customer_id, kind, amount, limit):
        return
    left = max(0, limit - total_today(tx, customer_id, kind))
    raise DailyLimitExceeded(
        f"Over the daily limit for {LIMIT_LABELS[kind]}: the limit is {ctx.money(limit)} a "
        f"day and {ctx.money(left)} is left today.",
        limit=limit,
        left=left,
    )


def charge_reportable(
    tx: Tx, ctx: ServiceContext, caller: Caller, customer_id: int, amount: int, *, approved: bool
) -> None:
    """Count cash in, cash out or a transfer out towards the customer's day. A staff
    operation that takes the day over the approval threshold is refused (ApprovalRequired),
    unless it is the execution of an approved request."""
    threshold = ctx.settings.approval_threshold_cents
    ceiling = threshold if caller.is_staff and not approved else NO_CEILING
    if add_to_total(tx, customer_id, REPORTABLE, amount, ceiling):
        return
    so_far = total_today(tx, customer_id, REPORTABLE)
    raise ApprovalRequired(
        f"This customer's cash and transfers today come to {ctx.money(so_far)}; with "
        f"{ctx.money(amount)} more they pass {ctx.money(threshold)}, which needs a "
        "supervisor's approval.",
        field="amount",
    )


def would_need_approval(
    tx: Tx, ctx: ServiceContext, caller: Caller, customer_id: int, amount: int
) -> bool:
    """The question `charge_reportable` answers, without counting anything."""
    if not caller.is_staff:
        return False
    so_far = total_today(tx, customer_id, REPORTABLE)
    return so_far + amount > ctx.settings.approval_threshold_cents
