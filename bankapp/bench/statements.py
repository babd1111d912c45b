"""Statement speed: a 30-day summary and first page for an account with 100,000 postings inside a
database of 1,000,000, with the query plans. Not part of `make test`.

    python -m bankapp.bench_statements --db data/bench-statements.db --build
    python -m bankapp.bench_statements --db data/bench-statements.db

`measure_statement(url, account_id)` is the entry point for `make bench`.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bankapp.bank import open_bank
from bankapp.demo.acting import operator_session
from bankapp.domain.account_numbers import new_account_number
from bankapp.domain.passwords import OWASP_MINIMUM
from bankapp.domain.types import Role
from bankapp.services.auth.user_rows import user_view
from bankapp.services.statements import StatementPeriod
from bankapp.settings import Settings
from bankapp.storage.engine import sqlite_path
from bankapp.storage.memo_index import index_memos_sqlite

BENCH_SETTINGS = Settings(hash_parameters=OWASP_MINIMUM)
END = datetime(2026, 11, 20, 12)


def build_statement_bench_db(
    url: str,
    *,
    postings: int = 1_000_000,
    account_postings: int = 100_000,
    days: int = 365,
    other_accounts: int = 200,
    seed: int = 7,
) -> int:
    """Create a SQLite database of `postings` postings (two per entry) over `days` days, where
    one customer account has `account_postings`; returns that account's id."""
    path = sqlite_path(url)
    if path is None:
        raise ValueError("the statement bench builds SQLite databases only")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    bank = open_bank(url, create=True, settings=BENCH_SETTINGS)
    user = bank.operator.create_user(
        username="benchcustomer",
        password="bench-password-2026!",
        role=Role.CUSTOMER,
        full_name="Bench Customer",
        email="bench@example.com",
        must_change_password=False,
    )
    bank.close()
    rng = random.Random(seed)
    start = END - timedelta(days=days)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    cur = conn.cursor()

    def add_account(owner: int | None, kind: str, name: str, code: str | None) -> int:
        cur.execute(
            "INSERT INTO accounts (number, owner_id, kind, name, currency, balance, held,"
            " credit_limit, unbounded, status, internal_code, opened_at)"
            " VALUES (?,?,?,?,?,0,0,0,?,'open',?,?)",
            (new_account_number(), owner, kind, name, "USD", code is not None, code, start),
        )
        return int(cur.lastrowid or 0)

    target = add_account(user.id, "checking", "Bench checking", None)
    cash = add_account(None, "internal", "Bank cash", "cash:bank")
    others = [add_account(user.id, "savings", f"Other {i}", None) for i in range(other_accounts)]
    balance = {target: 0, cash: 0, **{a: 0 for a in others}}
    entries = postings // 2
    step = (END - start) / entries
    target_every = max(1, entries // account_postings)
    entry_rows: list[tuple[Any, ...]] = []
    posting_rows: list[tuple[Any, ...]] = []
    for i in range(1, entries + 1):
        at = start + step * i
        account = target if i % target_every == 0 else rng.choice(others)
        amount = rng.randrange(100, 50_000)
        if balance[account] >= amount and rng.random() < 0.45:
            amount = -amount
        kind = "deposit" if amount > 0 else "withdrawal"
        balance[account] += amount
        balance[cash] -= amount
        entry_rows.append((i, kind, "Bench " + kind, at))
        posting_rows.append((i, account, amount, balance[account], at))
        posting_rows.append((i, cash, -amount, balance[cash], at))
        if len(entry_rows) >= 50_000 or i == entries:
            cur.executemany(
                "INSERT INTO journal_entries (id, kind, memo, created_at) VALUES (?,?,?,?)",
                entry_rows,
            )
            cur.executemany(
                "INSERT INTO postings (entry_id, account_id, amount, balance_after,"
                " created_at) VALUES (?,?,?,?,?)",
                posting_rows,
            )
            entry_rows.clear()
            posting_rows.clear()
    index_memos_sqlite(conn, 1, entries)
    cur.executemany(
        "UPDATE accounts SET balance = ? WHERE id = ?",
        [(value, key) for key, value in balance.items()],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return target


def measure_statement(url: str, account_id: int, *, repeats: int = 30) -> dict[str, Any]:
    """Time the statement screen's first call (summary + first page of 50) for the last 30
    days, as the account's owner; returns milliseconds and the query plans."""
    bank = open_bank(url, settings=BENCH_SETTINGS)
    try:
        owner = bank.db.read(
            lambda tx: tx.conn.execute(
                text(
                    "SELECT u.id, u.username, u.role FROM accounts a"
                    " JOIN users u ON u.id = a.owner_id"
                    " WHERE a.id = :a"
                ),
                {"a": account_id},
            ).one()
        )
        actor = operator_session(bank, bank.db.read(lambda tx: user_view(tx, owner.id)))
        last = bank.db.read(
            lambda tx: tx.conn.execute(
                text("SELECT max(created_at) FROM postings WHERE account_id = :a"),
                {"a": account_id},
            ).scalar_one()
        )
        last_day = datetime.fromisoformat(str(last)).date()
        period = StatementPeriod(last_day - timedelta(days=29), last_day)
        timings, cpu = [], []
        view = bank.statements.view(actor, account_id, period)  # warm the page cache
        for _ in range(repeats):
            began, began_cpu = time.perf_counter(), time.thread_time()
            view = bank.statements.view(actor, account_id, period)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.thread_time() - began_cpu) * 1000)
        series_began = time.perf_counter()
        bank.statements.balance_series(actor, account_id, period)
        series_ms = (time.perf_counter() - series_began) * 1000
        plans = _plans(bank, account_id, period) if bank.db.dialect == "sqlite" else {}
        counts = bank.db.read(
            lambda tx: tx.conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM postings),"
                    " (SELECT count(*) FROM postings WHERE account_id = :a)"
                ),
                {"a": account_id},
            ).one()
        )
    finally:
        bank.close()
    return {
        "postings_total": counts[0],
        "postings_account": counts[1],
        "period": period.label,
        "lines_in_period": view.summary.line_count,
        "view_ms_median": round(statistics.median(timings), 3),
        "view_ms_p95": round(sorted(timings)[int(len(timings) * 0.95) - 1], 3),
        "view_ms_min": round(min(timings), 3),
        # CPU time of the calling thread: what the call costs when the machine is not shared.
        "view_cpu_ms_median": round(statistics.median(cpu), 3),
        "balance_series_ms": round(series_ms, 3),
        "plans": plans,
    }


def _plans(bank: Any, account_id: int, period: StatementPeriod) -> dict[str, list[str]]:
    queries = {
        "opening balance": "SELECT balance_after FROM postings WHERE account_id = :a AND "
        "created_at < :s ORDER BY account_id DESC, created_at DESC, id DESC LIMIT 1",
        "totals": "SELECT count(*), coalesce(sum(amount) FILTER (WHERE amount > 0), 0), "
        "coalesce(sum(amount), 0) FROM postings "
        "WHERE account_id = :a AND created_at >= :s AND created_at < :e",
        "first page": "SELECT p.id, p.entry_id, p.created_at, p.amount, p.balance_after, "
        "e.kind, e.memo FROM postings p JOIN journal_entries e ON e.id = p.entry_id "
        "WHERE p.account_id = :a AND p.created_at >= :s AND p.created_at < :e "
        "ORDER BY p.created_at, p.id LIMIT 51",
    }
    params = {"a": account_id, "s": period.start, "e": period.end}
    return {
        name: [
            str(row[-1])
            for row in bank.db.read(
                lambda tx, sql=sql: tx.conn.execute(text("EXPLAIN QUERY PLAN " + sql), params).all()
            )
        ]
        for name, sql in queries.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/bench-statements.db", help="SQLite file")
    parser.add_argument("--build", action="store_true", help="(re)build the database first")
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--account-postings", type=int, default=100_000)
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    if args.build:
        began = time.perf_counter()
        build_statement_bench_db(
            url, postings=args.postings, account_postings=args.account_postings
        )
        print(f"built {args.db} in {time.perf_counter() - began:.1f} s")
    result = measure_statement(url, 1)
    plans = result.pop("plans")
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    for name, lines in plans.items():
        print(f"plan {name}:")
        for line in lines:
            print(f"    {line}")


if __name__ == "__main__":
    main()
