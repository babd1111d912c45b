"""Every history filter, whichever index it seeks on, pages exactly what reading the whole
account and filtering it in Python finds: kinds, amount ranges, memo text (Unicode, %, _,
backslashes, quotes, words that never occur, text too short for trigrams) and dates, alone
and together, on both databases and on either side of each plan's threshold."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Actor, HistoryCursor, HistoryLine
from bankapp.services import history_filters
from bankapp.services.bulk_postings import Credit, post_credits
from bankapp.services.history import HistoryFilter
from bankapp.services.ledger import BANK_CASH, internal_account
from bankapp.storage.database import Tx
from bankapp.storage.models import MEMO_SEARCH_TABLE
from tests.fixtures import cash_in, funded_account, make_customer

MEMOS = (
    "Salary November",
    "salary bonus 100%",
    "Rent to_dan",
    "Café crème",
    "CAFÉ NOIR",
    "Ünïcode ÄÖÜ straße",
    "50% off_sale",
    "back\\slash",
    'say "hi" twice',
    "日本 円 振込",
    "rent 💸🏦",
    "Groceries",
    "ab",
)
AMOUNTS = (1, 99, 100, 2_500, 9_999, 10_000, 50_000, 90_000)
MEMO_TERMS = (
    "salary",
    "SALARY",
    "100%",
    "%",
    "_",
    "o_d",
    "o%d",
    "\\",
    "back\\s",
    '"hi"',
    "café",
    "CAFÉ",
    "crème",
    "ünï",
    "ÜNÏ",
    "straße",
    "日本",
    "振込",
    "💸",
    "ab",
    "a",
    "  rent  ",
    "never-written",
    "qzx",
    "bob only",
    "interest for",
    "cash",
)
PAGE = 7


@dataclass(frozen=True)
class Ledger:
    alice: Actor
    account: int
    start: datetime
    end: datetime


def build_ledger(bank: Bank, clock: FixedClock) -> Ledger:
    """alice's checking account: check deposits, ATM withdrawals, transfers both ways and
    cash at the counter, one a day, each amount and memo recurring; bob's account has a
    memo word alice's never has; interest comes through the batch posting path."""
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    account = funded_account(bank, alice, 2_000_000)
    theirs = funded_account(bank, bob, 2_000_000)
    mine = bank.accounts.get(alice, account).number
    bob_number = bank.accounts.get(bob, theirs).number
    start = clock.now()
    for i in range(48):
        clock.advance(timedelta(days=1))
        amount, memo = AMOUNTS[i % len(AMOUNTS)], MEMOS[i % len(MEMOS)]
        step = i % 5
        if step == 0:
            bank.payments.deposit(alice, account, amount, memo=memo)
        elif step == 1:
            bank.payments.withdraw(alice, account, amount, memo=memo)
        elif step == 2:
            bank.payments.transfer(alice, account, bob_number, amount, memo=memo)
        elif step == 3:
            bank.payments.transfer(bob, theirs, mine, amount, memo=memo)
        else:
            cash_in(bank, account, amount)
        bank.payments.deposit(bob, theirs, 500, memo="bob only")
    clock.advance(timedelta(days=1))
    bank.db.write(lambda tx: _interest(tx, account))
    return Ledger(alice, account, start, clock.now() + timedelta(seconds=1))


def _interest(tx: Tx, account: int) -> None:
    source = internal_account(tx, BANK_CASH, "Bank cash", "USD")
    credits = [Credit(account, 1_234, "Interest for the month", "sys:test-interest", {})]
    post_credits(tx, source=source, credits=credits, kind="interest", audit_kind="money.interest")


def walk(bank: Bank, ledger: Ledger, filters: HistoryFilter) -> Iterator[HistoryLine]:
    cursor: HistoryCursor | None = None
    while True:
        page = bank.history.page(
            ledger.alice, ledger.account, filters=filters, cursor=cursor, limit=PAGE
        )
        assert len(page.lines) <= PAGE
        yield from page.lines
        if page.next_cursor is None:
            return
        assert len(page.lines) == PAGE
        cursor = page.next_cursor


def folding(bank: Bank) -> dict[int, int]:
    """How each database compares memo text today: PostgreSQL's ILIKE lowers every letter;
    SQLite's lower() and LIKE fold only A-Z (so É and é differ there)."""
    if bank.db.dialect == "postgresql":
        return {}
    return str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def matches(line: HistoryLine, filters: HistoryFilter, fold: dict[int, int] | None) -> bool:
    def folded(text: str) -> str:
        return text.lower() if fold is None else text.translate(fold)

    memo = filters.memo_contains.strip()[:100] if filters.memo_contains else None
    return (
        (filters.since is None or line.at >= filters.since)
        and (filters.until is None or line.at < filters.until)
        and (filters.kind is None or line.kind == filters.kind)
        and (filters.min_amount is None or abs(line.amount) >= filters.min_amount)
        and (filters.max_amount is None or abs(line.amount) <= filters.max_amount)
        and (memo is None or folded(memo) in folded(line.memo))
    )


def every_filter(ledger: Ledger) -> Iterator[HistoryFilter]:
    days = [
        ledger.start + timedelta(days=d, hours=h)
        for d, h in ((0, 0), (5, 12), (20, 0), (47, 0), (60, 0))
    ]
    kinds = ("check_deposit", "atm_withdrawal", "transfer", "deposit", "interest", "card_purchase")
    for kind in kinds:
        yield HistoryFilter(kind=kind)
    for low, high in (
        (None, 99),
        (100, None),
        (2_500, 9_999),
        (10_000, 10_000),
        (90_001, None),
        (0, 0),
        (1, 1),
    ):
        yield HistoryFilter(min_amount=low, max_amount=high)
    for term in MEMO_TERMS:
        yield HistoryFilter(memo_contains=term)
    for since in (None, *days):
        for until in (None, *days):
            if (since or until) and not (since and until and since >= until):
                yield HistoryFilter(since=since, until=until)
    yield HistoryFilter(kind="transfer", memo_contains="salary")
    yield HistoryFilter(kind="check_deposit", min_amount=2_500)
    yield HistoryFilter(kind="transfer", since=days[1], until=days[3])
    yield HistoryFilter(min_amount=100, max_amount=50_000, since=days[1])
    yield HistoryFilter(memo_contains="rent", until=days[2], max_amount=10_000)
    yield HistoryFilter(memo_contains="ab", kind="atm_withdrawal")
    yield HistoryFilter(
        kind="transfer", memo_contains="é", min_amount=1, since=days[0], until=days[4]
    )


def test_every_filter_pages_exactly_what_reading_the_whole_account_finds(
    bank: Bank, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = build_ledger(bank, clock)
    everything = list(walk(bank, ledger, HistoryFilter()))
    assert len(everything) == 50 and {line.kind for line in everything} >= {"interest", "deposit"}
    fold = folding(bank) or None
    tried = 0
    # FEW decides between reading a range whole and reading the account newest first: both.
    for few in (history_filters.FEW, 3):
        monkeypatch.setattr(history_filters, "FEW", few)
        for filters in every_filter(ledger):
            expected = [line for line in everything if matches(line, filters, fold)]
            assert list(walk(bank, ledger, filters)) == expected, (few, filters)
            tried += 1
    assert tried > 100


def test_memo_text_is_matched_as_each_database_matched_it_before(bank: Bank) -> None:
    """On SQLite only A-Z fold (its lower() and LIKE); PostgreSQL folds every letter."""
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 100_000)
    bank.payments.withdraw(alice, account, 100, memo="Café CRÈME")

    def found(text: str) -> int:
        filters = HistoryFilter(memo_contains=text)
        return len(bank.history.page(alice, account, filters=filters).lines)

    assert found("café crÈme") == 1
    assert found("CAFÉ") == (1 if bank.db.dialect == "postgresql" else 0)


def test_search_rows_are_written_and_rolled_back_with_their_postings(bank: Bank) -> None:
    """A preview posts and rolls back: no search row outlives it; a withdrawal's rows (one
    per leg) are there as soon as it commits, and every filter finds it."""
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 100_000)
    bank.payments.preview(alice, "withdraw", account, 100, memo="Only a preview")
    bank.payments.withdraw(alice, account, 4_321, memo="Lunch at Zoë's")

    def rows(tx: Tx) -> dict[str, int]:
        found = {
            table: tx.conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("postings", "posting_search")
        }
        if bank.db.dialect == "sqlite":
            search = f"SELECT count(*) FROM {MEMO_SEARCH_TABLE} WHERE {MEMO_SEARCH_TABLE} MATCH :q"
            for memo in ("Only a preview", "Lunch at Zoë's"):
                found[memo] = tx.conn.execute(text(search), {"q": f'"{memo}"'}).scalar_one()
        return found

    found = bank.db.read(rows)
    assert found["posting_search"] == found["postings"]
    if bank.db.dialect == "sqlite":
        assert (found["Only a preview"], found["Lunch at Zoë's"]) == (0, 2)
    filters = HistoryFilter(kind="atm_withdrawal", memo_contains="zoë", min_amount=4_321)
    lines = bank.history.page(alice, account, filters=filters).lines
    assert [(line.amount, line.memo) for line in lines] == [(-4_321, "Lunch at Zoë's")]


def test_without_the_trigram_table_memo_search_reads_the_history(bank: Bank) -> None:
    """An SQLite without FTS5's trigram tokenizer (before 3.34) gets no `posting_memos`
    (migration 0007 warns): memo text is then found by reading the account, the same lines."""
    if bank.db.dialect != "sqlite":
        pytest.skip("SQLite's FTS5 table")
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 100_000)
    for memo in ("Lunch at noon", "Dinner", "late lunch"):
        bank.payments.withdraw(alice, account, 100, memo=memo)
    before = bank.history.page(alice, account, filters=HistoryFilter(memo_contains="LUNCH"))

    def without_trigrams(tx: Tx) -> None:
        tx.conn.exec_driver_sql("DROP TRIGGER postings_search")
        tx.conn.exec_driver_sql(f"DROP TABLE {MEMO_SEARCH_TABLE}")

    bank.db.write(without_trigrams)
    after = bank.history.page(alice, account, filters=HistoryFilter(memo_contains="LUNCH"))
    assert after == before
    assert [line.memo for line in after.lines] == ["late lunch", "Lunch at noon"]
