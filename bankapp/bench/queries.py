"""Read paths on a large ledger: a 30-day statement, history pages, and peak Python memory."""

from __future__ import annotations

import importlib
import sqlite3
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bankapp.bank import Bank, open_bank
from bankapp.bench.fixture import LedgerFixture, LedgerSpec, ledger_database
from bankapp.bench.harness import BenchConfig, Figure, Report, median_seconds
from bankapp.bench.transfers import BENCH_SETTINGS
from bankapp.domain.types import Actor, HistoryCursor
from bankapp.services.history import HistoryFilter

PAGE = 50
WALK_PAGES = 20


def large_and_small(config: BenchConfig) -> tuple[LedgerFixture, LedgerFixture]:
    """The big ledger (e.g. 1M postings, 100k on one account) and the small one (e.g. 10k)."""
    big = ledger_database(
        LedgerSpec(
            postings=config.postings, hot_postings=config.hot_postings, customers=config.customers
        ),
        config.cache,
    )
    small = ledger_database(
        LedgerSpec(
            postings=config.small_postings,
            hot_postings=config.small_postings // 10,
            customers=min(50, config.customers),
        ),
        config.cache,
    )
    return big, small


# -- 3. statement -----------------------------------------------------------------------------


def _statement_period(bank: Bank, end: datetime) -> Any | None:
    """A 30-day StatementPeriod when the statements service is installed, else None."""
    if getattr(bank, "statements", None) is None:
        return None
    module = importlib.import_module("bankapp.services.statements")
    last: date = (end - timedelta(days=1)).date()
    return module.StatementPeriod(last - timedelta(days=29), last)


def _raw_summary(conn: sqlite3.Connection, account_id: int, s: str, e: str) -> None:
    """A statement summary by hand: the opening balance seek and the period's totals."""
    conn.execute(
        "SELECT balance_after FROM postings WHERE account_id = ? AND created_at < ? "
        "ORDER BY account_id DESC, created_at DESC, id DESC LIMIT 1",
        (account_id, s),
    ).fetchall()
    conn.execute(
        "SELECT count(*), sum(CASE WHEN amount > 0 THEN amount ELSE 0 END), "
        "sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END), min(id), max(id) FROM postings "
        "WHERE account_id = ? AND created_at >= ? AND created_at < ?",
        (account_id, s, e),
    ).fetchall()


def _lines_in(conn: sqlite3.Connection, account_id: int, s: str, e: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM postings WHERE account_id = ? AND created_at >= ? "
            "AND created_at < ?",
            (account_id, s, e),
        ).fetchone()[0]
    )


def _raw_lines(conn: sqlite3.Connection, account_id: int, s: str, e: str) -> None:
    rows = conn.execute(
        "SELECT p.id, p.entry_id, p.created_at, p.amount, p.balance_after, j.kind, j.memo "
        "FROM postings p JOIN journal_entries j ON j.id = p.entry_id WHERE p.account_id = ? "
        "AND p.created_at >= ? AND p.created_at < ? ORDER BY p.created_at, p.id LIMIT ?",
        (account_id, s, e, PAGE + 1),
    ).fetchall()
    entry_ids = [row[1] for row in rows]
    marks = ",".join("?" * len(entry_ids))
    conn.execute(
        f"SELECT p.entry_id, a.number, a.kind, a.name FROM postings p JOIN accounts a ON "
        f"a.id = p.account_id WHERE p.entry_id IN ({marks}) AND p.account_id != ?",
        (*entry_ids, account_id),
    ).fetchall()


def bench_statement(config: BenchConfig, report: Report, big: LedgerFixture) -> None:
    """Section 3: 30-day summary and first page for the 100k-posting account."""
    bank = open_bank(big.url, settings=BENCH_SETTINGS)
    conn = sqlite3.connect(big.path)
    try:
        end = big.spec.end
        start = end - timedelta(days=30)
        actor, hot, quiet = big.hot_owner(bank), big.hot_account_id, big.account_ids[1]
        period = _statement_period(bank, end)
        if period is not None:
            label = "bank.statements"
            svc = bank.statements
            start, end = period.start, period.end  # whole days, as the service counts them

            def summary(account: int) -> Callable[[], object]:
                return lambda: svc.summary(actor, account, period)

            def first_page(account: int) -> Callable[[], object]:
                return lambda: svc.lines(actor, account, period, limit=PAGE)
        else:
            label = "equivalent raw queries: statements service absent"
            report.note("statement figures use equivalent queries: bank.statements is absent")

            def summary(account: int) -> Callable[[], object]:
                return lambda: _raw_summary(conn, account, s, e)

            def first_page(account: int) -> Callable[[], object]:
                return lambda: _raw_lines(conn, account, s, e)

        s, e = start.isoformat(sep=" "), end.isoformat(sep=" ")
        n = config.repeats
        raw_summary = median_seconds(lambda: _raw_summary(conn, hot, s, e), n)
        raw_page = median_seconds(lambda: _raw_lines(conn, hot, s, e), n)
        hot_summary = median_seconds(summary(hot), n)
        hot_page = median_seconds(first_page(hot), n)
        quiet_summary = median_seconds(summary(quiet), n)
        posts = f"{big.spec.hot_postings:,}-posting account"
        report.add(
            Figure(
                "3 statement",
                f"30-day summary, {posts} ({label})",
                hot_summary * 1000,
                "ms",
                "raw sqlite3 summary queries",
                raw_summary * 1000,
            )
        )
        report.add(
            Figure(
                "3 statement",
                f"30-day first page ({PAGE} lines), {posts}",
                hot_page * 1000,
                "ms",
                "raw sqlite3 page + counterparties",
                raw_page * 1000,
            )
        )
        report.add(
            Figure(
                "3 statement",
                f"30-day summary, {posts}",
                hot_summary * 1000,
                "ms",
                "same, an account with ~1k postings",
                quiet_summary * 1000,
                f"lines in the period: {_lines_in(conn, hot, s, e)} vs "
                f"{_lines_in(conn, quiet, s, e)}; cost follows those, not the history",
            )
        )
    finally:
        conn.close()
        bank.close()
    if period is not None:
        _statement_view(config, report, big, (raw_summary + raw_page) * 1000)


def _statement_view(config: BenchConfig, report: Report, big: LedgerFixture, raw: float) -> None:
    """The statements engineer's own measure (`bankapp.bench_statements`): the screen's first
    call, summary and first page in one read, beside the same queries by hand."""
    try:
        module = importlib.import_module("bankapp.bench.statements")
    except ImportError:
        return
    view = module.measure_statement(big.url, big.hot_account_id, repeats=max(3, config.repeats))
    report.add(
        Figure(
            "3 statement",
            "statements.view (summary + first page), median",
            float(view["view_ms_median"]),
            "ms",
            "raw sqlite3 summary + page",
            raw,
            f"{view['lines_in_period']} lines in {view['period']}; CPU "
            f"{view['view_cpu_ms_median']} ms; balance series {view['balance_series_ms']} ms",
        )
    )


# -- 4. history -------------------------------------------------------------------------------


def deep_cursor(path: str, account_id: int, depth: float = 0.9) -> HistoryCursor:
    """A keyset cursor `depth` of the way down the account's history, newest first."""
    conn = sqlite3.connect(path)
    try:
        total = conn.execute(
            "SELECT count(*) FROM postings WHERE account_id = ?", (account_id,)
        ).fetchone()[0]
        row = conn.execute(
            "SELECT id FROM postings WHERE account_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
            (account_id, int(total * depth)),
        ).fetchone()
    finally:
        conn.close()
    return HistoryCursor(int(row[0]))


def _walk(bank: Bank, actor: Actor, account_id: int, cursor: HistoryCursor) -> None:
    """The first page, the next pages down from it, and one deep page."""
    page = bank.history.page(actor, account_id, limit=PAGE)
    for _ in range(WALK_PAGES - 1):
        if page.next_cursor is None:
            break
        page = bank.history.page(actor, account_id, cursor=page.next_cursor, limit=PAGE)
    bank.history.page(actor, account_id, cursor=cursor, limit=PAGE)


def _history_figures(config: BenchConfig, fixture: LedgerFixture) -> dict[str, float]:
    bank = open_bank(fixture.url, settings=BENCH_SETTINGS)
    try:
        actor, hot = fixture.hot_owner(bank), fixture.hot_account_id
        cursor = deep_cursor(str(fixture.path), hot)
        first = median_seconds(lambda: bank.history.page(actor, hot, limit=PAGE), config.repeats)
        deep = median_seconds(
            lambda: bank.history.page(actor, hot, cursor=cursor, limit=PAGE), config.repeats
        )
        _walk(bank, actor, hot, cursor)  # warm, so the peak is the query's, not imports'
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            _walk(bank, actor, hot, cursor)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        bank.close()
    return {"first": first, "deep": deep, "peak": peak}


def history_filters(spec: LedgerSpec) -> dict[str, HistoryFilter]:
    """The filters of issue 21, each timed on the hot account's first page: on the bench
    ledger the first three match one posting or none, the fourth nothing, the fifth a
    month's postings."""
    return {
        "kind = deposit": HistoryFilter(kind="deposit"),
        "amount >= $9,990": HistoryFilter(min_amount=999_000),
        'memo contains "salary"': HistoryFilter(memo_contains="salary"),
        "memo contains a word never written": HistoryFilter(memo_contains="qzxjv"),
        "the last 30 days": HistoryFilter(since=spec.end - timedelta(days=30)),
    }


def _filtered_figures(config: BenchConfig, fixture: LedgerFixture) -> dict[str, float]:
    bank = open_bank(fixture.url, settings=BENCH_SETTINGS)
    try:
        actor, hot = fixture.hot_owner(bank), fixture.hot_account_id

        def first_page(filters: HistoryFilter) -> Callable[[], object]:
            return lambda: bank.history.page(actor, hot, filters=filters, limit=PAGE)

        return {
            name: median_seconds(first_page(filters), config.repeats)
            for name, filters in history_filters(fixture.spec).items()
        }
    finally:
        bank.close()


def bench_history(
    config: BenchConfig, report: Report, big: LedgerFixture, small: LedgerFixture
) -> None:
    """Section 4: first and deep (keyset) page times and peak memory, large vs small ledger;
    each filter's first page beside the unfiltered one."""
    large_run = _history_figures(config, big)
    small_run = _history_figures(config, small)
    filtered = _filtered_figures(config, big)
    big_n, small_n = f"{big.spec.postings:,}", f"{small.spec.postings:,}"
    report.add(
        Figure(
            "4 history",
            f"first page, {big_n} postings",
            large_run["first"] * 1000,
            "ms",
            f"first page, {small_n} postings",
            small_run["first"] * 1000,
        )
    )
    report.add(
        Figure(
            "4 history",
            f"deep page (90% down, keyset), {big_n} postings",
            large_run["deep"] * 1000,
            "ms",
            f"first page, {big_n} postings",
            large_run["first"] * 1000,
        )
    )
    report.add(
        Figure(
            "4 history",
            f"deep page (90% down, keyset), {big_n} postings",
            large_run["deep"] * 1000,
            "ms",
            f"deep page, {small_n} postings",
            small_run["deep"] * 1000,
        )
    )
    posts = f"{big.spec.hot_postings:,}-posting account"
    for name, seconds in filtered.items():
        report.add(
            Figure(
                "4 history",
                f"first page, {name}, {posts}",
                seconds * 1000,
                "ms",
                "first page, no filter",
                large_run["first"] * 1000,
            )
        )
    report.add(
        Figure(
            "4 history",
            f"peak Python memory, {WALK_PAGES + 1} pages, {big_n} postings",
            large_run["peak"] / 1024,
            "KiB",
            f"same, {small_n} postings",
            small_run["peak"] / 1024,
            "tracemalloc; flat means ratio ~1",
        )
    )


def bench_queries(config: BenchConfig, report: Report) -> tuple[LedgerFixture, LedgerFixture]:
    big, small = large_and_small(config)
    report.sizes["ledger"] = {
        "postings": big.spec.postings,
        "hot_postings": big.spec.hot_postings,
        "build_seconds": big.build_seconds,
        "file": str(big.path),
    }
    bench_statement(config, report, big)
    bench_history(config, report, big, small)
    return big, small
