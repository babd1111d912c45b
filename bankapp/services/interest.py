"""Savings interest in the close of business: accrue each day, post on the month's last day.

Accrual is kept exactly (`domain/interest.py`); each account's row says through which date it
has accrued, and the accrual moves by a conditional update on that date, so a close run twice
or resumed after a crash accrues each day once. Posting turns the month's accrual into one
entry per account from the interest expense account, through the bulk path, keyed by account
and month, so it too happens once."""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import bindparam, insert, select, update

from bankapp.domain.interest import daily_accrual, rate_text, to_post
from bankapp.services.bulk_postings import Credit, post_credits
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import internal_account, system_key
from bankapp.storage.bulk_rows import execute_rows
from bankapp.storage.database import Tx, conditional_updates
from bankapp.storage.models import Account, InterestAccrual

_accounts = Account
_accruals = InterestAccrual
_NEW_ACCRUAL = insert(_accruals)
INTEREST_EXPENSE = "interest:expense"
BATCH = 1_000


_ACCRUE = (
    update(_accruals)
    .where(
        _accruals.c.account_id == bindparam("account"),
        _accruals.c.accrued_through == bindparam("through"),
    )
    .values(accrued=_accruals.c.accrued + bindparam("more"), accrued_through=bindparam("to"))
)
_CARRY = (
    update(_accruals)
    .where(_accruals.c.account_id == bindparam("account"), _accruals.c.accrued == bindparam("was"))
    .values(accrued=bindparam("rest"), posted_through=bindparam("on"))
)


def is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _savings(tx: Tx, ctx: ServiceContext, after_id: int) -> list[object]:
    kinds = [kind for kind, rate in ctx.settings.interest_rates_bp if rate > 0]
    return list(
        tx.conn.execute(
            select(_accounts.c.id, _accounts.c.kind, _accounts.c.balance)
            .where(
                _accounts.c.id > after_id,
                _accounts.c.kind.in_(kinds),
                _accounts.c.status == "open",
                _accounts.c.owner_id.is_not(None),
            )
            .order_by(_accounts.c.id)
            .limit(BATCH)
        ).all()
    )


def accrue_batch(
    tx: Tx, ctx: ServiceContext, business_date: date, after_id: int
) -> tuple[int, int, int, int]:
    """Accrue one batch through `business_date`: (last id, accounts, units accrued, 0)."""
    rows = _savings(tx, ctx, after_id)
    if not rows:
        return after_id, 0, 0, 0
    ids = [r.id for r in rows]  # type: ignore[attr-defined]
    state = {
        r.account_id: r
        for r in tx.conn.execute(select(_accruals).where(_accruals.c.account_id.in_(ids)))
    }
    units = 0
    new: list[dict[str, object]] = []
    moves: list[dict[str, object]] = []
    for row in rows:
        rate = ctx.settings.interest_rate_bp(row.kind)  # type: ignore[attr-defined]
        daily = daily_accrual(row.balance, rate)  # type: ignore[attr-defined]
        current = state.get(row.id)  # type: ignore[attr-defined]
        if current is None:
            new.append(
                {
                    "account_id": row.id,  # type: ignore[attr-defined]
                    "accrued": daily,
                    "accrued_through": business_date,
                    "posted_through": None,
                }
            )
        elif current.accrued_through < business_date:
            # Days not closed (none: dates close in order) would accrue at today's balance.
            daily *= (business_date - current.accrued_through).days
            moves.append(
                {
                    "account": current.account_id,
                    "through": current.accrued_through,
                    "more": daily,
                    "to": business_date,
                }
            )
        else:
            continue
        units += daily
    if new:
        execute_rows(tx.conn, _NEW_ACCRUAL, new)
    conditional_updates(tx, _ACCRUE, moves, "an accrual moved during the close")
    accrued = len(new) + len(moves)
    return ids[-1], accrued, units, 0


def post_batch(
    tx: Tx, ctx: ServiceContext, business_date: date, after_id: int
) -> tuple[int, int, int, int]:
    """On the month's last day, post one batch of accrued interest: (last id, entries, cents,
    accounts with nothing to post)."""
    if not is_month_end(business_date):
        return after_id, 0, 0, 0
    rows = list(
        tx.conn.execute(
            select(_accruals, _accounts.c.kind)
            .join(_accounts, _accounts.c.id == _accruals.c.account_id)
            .where(_accruals.c.account_id > after_id, _accounts.c.status == "open")
            .order_by(_accruals.c.account_id)
            .limit(BATCH)
        ).all()
    )
    if not rows:
        return after_id, 0, 0, 0
    month = business_date.strftime("%Y-%m")
    credits, carried = [], []
    rates: dict[str, int] = {}
    for row in rows:
        if row.posted_through is not None and row.posted_through >= business_date:
            continue
        cents, rest = to_post(row.accrued)
        carried.append((row.account_id, row.accrued, rest))
        rate = rates.get(row.kind)
        if rate is None:
            rate = rates[row.kind] = ctx.settings.interest_rate_bp(row.kind)
        if cents > 0:
            credits.append(
                Credit(
                    row.account_id,
                    cents,
                    f"Interest for {month} at {rate_text(rate)} a year",
                    system_key(f"interest:{row.account_id}:{month}"),
                    {"rate_bp": rate, "month": month},
                )
            )
    expense = internal_account(tx, INTEREST_EXPENSE, "Interest expense", ctx.settings.currency)
    posted = post_credits(
        tx, source=expense, credits=credits, kind="interest", audit_kind="money.interest"
    )
    conditional_updates(
        tx,
        _CARRY,
        [{"account": a, "was": was, "rest": rest, "on": business_date} for a, was, rest in carried],
        "an accrual moved during the close",
    )
    total = sum(c.amount for c in credits)
    return rows[-1].account_id, len(posted), total, len(rows) - len(credits)
