"""Section 7: the close of business at scale — a month-end close that accrues and posts
interest for many savings accounts through the bulk posting path — beside single service
transfers timed on the same database in the same run."""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

from bankapp.bank import Bank, open_bank
from bankapp.bench.harness import BenchConfig, Figure, Report
from bankapp.bench.transfers import BENCH_SETTINGS, postgres_answers, seed_branch, service_transfers
from bankapp.domain.account_numbers import BODY_DIGITS, check_digits
from bankapp.services.bulk_postings import Credit, post_credits
from bankapp.services.close_day import Progress, close_as_operator
from bankapp.services.ledger import BANK_CASH, system_key
from bankapp.storage.models import Account, JournalEntry

_accounts = Account
_entries = JournalEntry
OPENING = 1_000_000  # cents in each savings account: a day's interest at 2.5% is 68 cents
FUND_CHUNK = 2_000
BASELINE_TRANSFERS = 300


def bench_close(config: BenchConfig, report: Report) -> None:
    with tempfile.TemporaryDirectory(dir=config.cache, prefix="tmp-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'close.db'}"
        _measure(report, "sqlite", url, config.savings_accounts)
    pg = config.postgres_url
    if pg and postgres_answers(pg):
        schema = f"bench_close_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            separator = "&" if "?" in pg else "?"
            schema_url = f"{pg}{separator}options=-csearch_path%3D{schema}"
            _measure(report, "postgres", schema_url, config.savings_accounts_pg)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    elif pg:
        report.note(f"PostgreSQL: no server answered at {pg}; its close figures are absent")


def _measure(report: Report, backend: str, url: str, savings: int) -> None:
    bank = open_bank(url, create=True, settings=BENCH_SETTINGS)
    try:
        branch = seed_branch(bank, 2, prefix="close")
        owner = branch.customers[0].user_id
        ids = _open_savings(bank, owner, savings)
        funding = _fund(bank, ids)
        service_transfers(bank, branch, 20)  # warm the pool and caches
        single = service_transfers(bank, branch, BASELINE_TRANSFERS)
        month_end = _last_month_end(bank.clock.now().date())
        steps = _close(bank, month_end)
        interest = _count_interest(bank)
    finally:
        bank.close()
    if interest != savings:
        report.note(f"{backend} close: posted {interest} interest entries for {savings} accounts")
    posting = steps.get("Interest entries posted", 0.0)
    accrual = steps.get("Savings accounts accrued interest", 0.0)
    section = f"7 close of business ({backend})"
    report.add(
        Figure(
            section,
            f"interest accrued and posted, {savings:,} savings accounts",
            accrual + posting,
            "s",
            f"{savings:,} single service transfers at the measured rate",
            savings / single,
            "target <= 10 s on SQLite at 100,000 accounts; one entry per account, each "
            "with its chained audit event",
        )
    )
    report.add(
        Figure(
            section,
            "batch postings/s (interest posting step)",
            interest / posting if posting else 0.0,
            "entries/s",
            "single service transfers/s, same database",
            single,
            "target ratio >= 10",
        )
    )
    report.add(
        Figure(
            section,
            "batch postings/s (funding the accounts, bulk path)",
            savings / funding,
            "entries/s",
            "single service transfers/s, same database",
            single,
            f"chunks of {FUND_CHUNK} credits per transaction",
        )
    )
    report.sizes[f"close-{backend}"] = {
        "savings_accounts": savings,
        "steps_seconds": {k: round(v, 3) for k, v in steps.items()},
    }


def _last_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def _open_savings(bank: Bank, owner: int, count: int) -> list[int]:
    """`count` empty savings accounts for one customer, by bulk insert (the bench is about
    the close, not account opening)."""
    opened = datetime(2026, 1, 1)
    rows: list[dict[str, Any]] = []
    for n in range(count):
        body = f"{7 * 10 ** (BODY_DIGITS - 1) + n:0{BODY_DIGITS}d}"
        rows.append(
            {
                "number": body + check_digits(body),
                "owner_id": owner,
                "kind": "savings",
                "name": "Savings",
                "currency": "USD",
                "balance": 0,
                "held": 0,
                "credit_limit": 0,
                "unbounded": False,
                "status": "open",
                "internal_code": None,
                "opened_at": opened,
            }
        )

    def work(tx: Any) -> list[int]:
        tx.conn.execute(insert(_accounts), rows)
        return list(
            tx.conn.execute(
                select(_accounts.c.id)
                .where(_accounts.c.owner_id == owner, _accounts.c.kind == "savings")
                .order_by(_accounts.c.id)
            ).scalars()
        )

    return bank.db.write(work)


def _fund(bank: Bank, ids: list[int]) -> float:
    """Fund every account from bank cash through the bulk path; seconds taken."""
    started = time.perf_counter()
    for start in range(0, len(ids), FUND_CHUNK):
        chunk = ids[start : start + FUND_CHUNK]

        def work(tx: Any, chunk: list[int] = chunk) -> None:
            cash = tx.conn.execute(
                select(_accounts.c.id).where(_accounts.c.internal_code == BANK_CASH)
            ).scalar_one()
            credits = [
                Credit(a, OPENING, "Opening deposit", system_key(f"bench-open:{a}"), {})
                for a in chunk
            ]
            post_credits(
                tx, source=cash, credits=credits, kind="deposit", audit_kind="money.deposit"
            )

        bank.db.write(work)
    return time.perf_counter() - started


def _close(bank: Bank, day: date) -> dict[str, float]:
    """Close `day`; seconds spent in each step (from the progress callbacks)."""
    spent: dict[str, float] = {}
    current: list[Any] = [None, time.perf_counter()]

    def progress(state: Progress) -> None:
        now = time.perf_counter()
        if state.label != current[0]:
            if current[0] is not None:
                spent[current[0]] = spent.get(current[0], 0.0) + now - current[1]
            current[0], current[1] = state.label, now

    close_as_operator(bank.ctx, day, progress=progress)
    if current[0] is not None:
        spent[current[0]] = spent.get(current[0], 0.0) + time.perf_counter() - current[1]
    return spent


def _count_interest(bank: Bank) -> int:
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(
                select(func.count()).select_from(_entries).where(_entries.c.kind == "interest")
            ).scalar_one()
        )
    )
