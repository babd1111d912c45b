"""Each history filter's first page is answered from the index made for it, not by reading
the account's postings: the query plan the database reports for the page's own statement
(EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL) names that index. A check of which
index is used, never of time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Actor
from bankapp.services import history_filters
from bankapp.services.history import HistoryFilter
from tests.fixtures import funded_account, make_customer

NEWEST_FIRST = "SEARCH postings USING INDEX ix_postings_account_running (account_id=?)"
SORTED = "USE TEMP B-TREE FOR ORDER BY"


@dataclass(frozen=True)
class Account:
    bank: Bank
    owner: Actor
    account_id: int


@pytest.fixture
def account(bank: Bank, clock: FixedClock) -> Account:
    """Twenty postings a day apart: ATM withdrawals of $1 to $20, memo "Lunch N"."""
    alice = make_customer(bank, "alice")
    account_id = funded_account(bank, alice, 100_000)
    for i in range(1, 21):
        clock.advance(timedelta(days=1))
        bank.payments.withdraw(alice, account_id, i * 100, memo=f"Lunch {i}")
    return Account(bank, alice, account_id)


def page_statement(account: Account, filters: HistoryFilter, limit: int) -> tuple[str, Any]:
    """The statement that read the first page's lines (not a count, not the other sides)."""
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "journal_entries.memo" in statement and "count(*)" not in statement:
            seen.append((statement, parameters))

    engine = account.bank.db.engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        account.bank.history.page(account.owner, account.account_id, filters=filters, limit=limit)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert len(seen) == 1, seen
    return seen[0]


def plan(account: Account, filters: HistoryFilter, limit: int = 50) -> list[str]:
    statement, parameters = page_statement(account, filters, limit)
    with account.bank.db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return [row[3] for row in rows]
        # Tiny tables are cheapest read whole; what is checked is that the index serves.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return [row[0].strip() for row in rows]


def full_scans(lines: list[str]) -> Iterator[str]:
    return (line for line in lines if line.startswith("SCAN ") and "VIRTUAL TABLE" not in line)


def sqlite_only(account: Account) -> None:
    if account.bank.db.dialect != "sqlite":
        pytest.skip("SQLite's plan")


SQLITE_PLANS = [
    pytest.param(HistoryFilter(), 2_000, [NEWEST_FIRST], [SORTED], id="no filter"),
    pytest.param(
        HistoryFilter(kind="atm_withdrawal"),
        2_000,
        ["COVERING INDEX ix_posting_search_kind (account_id=? AND entry_kind=?)"],
        [NEWEST_FIRST],
        id="kind",
    ),
    pytest.param(
        HistoryFilter(kind="transfer"),
        2_000,
        ["COVERING INDEX ix_posting_search_kind (account_id=? AND entry_kind=?)"],
        [NEWEST_FIRST],
        id="kind that never occurs",
    ),
    pytest.param(
        HistoryFilter(kind="atm_withdrawal", min_amount=500),
        2_000,
        ["ix_posting_search_kind (account_id=? AND entry_kind=?)"],
        [NEWEST_FIRST, SORTED],
        id="kind and amount",
    ),
    pytest.param(
        HistoryFilter(min_amount=1_500),
        2_000,
        ["COVERING INDEX ix_posting_search_amount (account_id=? AND abs_amount>?)"],
        [NEWEST_FIRST],
        id="amount range, few postings",
    ),
    pytest.param(
        HistoryFilter(min_amount=999_000_00),
        2_000,
        ["COVERING INDEX ix_posting_search_amount (account_id=? AND abs_amount>?)"],
        [NEWEST_FIRST],
        id="amount nothing reaches",
    ),
    pytest.param(
        HistoryFilter(max_amount=1_500), 3, [NEWEST_FIRST], [SORTED], id="amount range, many"
    ),
    pytest.param(
        HistoryFilter(memo_contains="lunch 1"),
        2_000,
        ["SCAN posting_memos VIRTUAL TABLE INDEX", "SEARCH postings USING INTEGER PRIMARY KEY"],
        [NEWEST_FIRST, SORTED],
        id="memo",
    ),
    pytest.param(
        HistoryFilter(memo_contains="never written"),
        2_000,
        ["SCAN posting_memos VIRTUAL TABLE INDEX"],
        [NEWEST_FIRST, SORTED],
        id="memo that never occurs",
    ),
    pytest.param(
        HistoryFilter(memo_contains="lunch", kind="atm_withdrawal", max_amount=900),
        2_000,
        ["SCAN posting_memos VIRTUAL TABLE INDEX"],
        [NEWEST_FIRST, SORTED],
        id="memo, kind and amount",
    ),
    pytest.param(
        HistoryFilter(memo_contains="1"), 2_000, [NEWEST_FIRST], [SORTED], id="memo too short"
    ),
]


@pytest.mark.parametrize(("filters", "few", "present", "absent"), SQLITE_PLANS)
def test_each_filters_first_page_seeks_its_index_on_sqlite(
    account: Account,
    monkeypatch: pytest.MonkeyPatch,
    filters: HistoryFilter,
    few: int,
    present: list[str],
    absent: list[str],
) -> None:
    sqlite_only(account)
    monkeypatch.setattr(history_filters, "FEW", few)
    lines = plan(account, filters)
    assert not list(full_scans(lines)), lines
    for wanted in present:
        assert any(wanted in line for line in lines), (wanted, lines)
    for unwanted in absent:
        assert not any(line.endswith(unwanted) for line in lines), (unwanted, lines)


def test_date_ranges_seek_the_time_index_or_read_newest_first(
    account: Account, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A range of a few postings is read from `ix_postings_account_time`; a range that holds
    a page with few postings after it is read newest first, without sorting."""
    sqlite_only(account)
    now = clock.now()
    old = HistoryFilter(since=now - timedelta(days=30), until=now - timedelta(days=15))
    lines = plan(account, old)
    assert any("COVERING INDEX ix_postings_account_time" in line for line in lines), lines
    assert not any(line.endswith(NEWEST_FIRST) for line in lines), lines
    monkeypatch.setattr(history_filters, "FEW", 3)
    recent = plan(account, HistoryFilter(since=now - timedelta(days=10)), limit=5)
    assert any(line.endswith(NEWEST_FIRST) for line in recent), recent
    assert not any(line.endswith(SORTED) for line in recent), recent


POSTGRES_PLANS = [
    pytest.param(HistoryFilter(kind="atm_withdrawal"), "ix_posting_search_kind", id="kind"),
    pytest.param(HistoryFilter(min_amount=1_500), "ix_posting_search_amount", id="amount"),
    pytest.param(HistoryFilter(memo_contains="lunch 1"), "ix_journal_entries_memo_trgm", id="memo"),
    pytest.param(
        HistoryFilter(memo_contains="never written"),
        "ix_journal_entries_memo_trgm",
        id="memo that never occurs",
    ),
]


@pytest.mark.parametrize(("filters", "index"), POSTGRES_PLANS)
def test_each_filters_first_page_can_use_its_index_on_postgresql(
    account: Account, filters: HistoryFilter, index: str
) -> None:
    if account.bank.db.dialect != "postgresql":
        pytest.skip("PostgreSQL's plan")
    lines = plan(account, filters)
    assert any(index in line for line in lines), lines
