"""Statements: opening balance, lines, totals and closing balance across range edges; ownership;
recorded, audited and reprinted identically."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Actor, Role
from bankapp.errors import AccountNotFound, NotFound, StatementMismatch, ValidationFailed
from bankapp.services.statements import Preset, StatementPeriod
from bankapp.storage.models import Posting, Statement
from tests.fixtures import as_attacker, audit_kinds, funded_account, make_customer, make_staff

OCT = StatementPeriod(date(2026, 10, 1), date(2026, 10, 31))


def _at(clock: FixedClock, when: datetime) -> None:
    clock.set(when)


def _october_history(bank: Bank, clock: FixedClock, alice: Actor) -> int:
    """An account opened 15 Sep with postings before, at the start instant, inside, at the end
    instant (1 Nov 00:00, outside) and after October."""
    _at(clock, datetime(2026, 9, 15, 12))
    account = funded_account(bank, alice, 50_000)  # before the period
    _at(clock, datetime(2026, 10, 1, 0, 0, 0))  # exactly at the start: inside
    bank.payments.deposit(alice, account, 1_000, memo="at the start")
    _at(clock, datetime(2026, 10, 15, 9))
    bank.payments.withdraw(alice, account, 2_500, memo="mid month")
    _at(clock, datetime(2026, 10, 31, 23, 59, 59))  # last second: inside
    bank.payments.deposit(alice, account, 300, memo="last second")
    _at(clock, datetime(2026, 11, 1, 0, 0, 0))  # exactly at the end: next period
    bank.payments.withdraw(alice, account, 700, memo="at the end")
    _at(clock, datetime(2026, 11, 20, 10, 30))
    return account


def test_a_posting_at_the_start_instant_is_in_and_one_at_the_end_instant_is_out(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    summary = bank.statements.summary(alice, account, OCT)
    assert summary.opening_balance == 50_000
    assert (summary.total_in, summary.total_out, summary.line_count) == (1_300, 2_500, 3)
    assert summary.closing_balance == 48_800
    lines = bank.statements.lines(alice, account, OCT).lines
    assert [line.memo for line in lines] == ["at the start", "mid month", "last second"]
    november = StatementPeriod(date(2026, 11, 1), date(2026, 11, 30))
    after = bank.statements.summary(alice, account, november)
    assert after.opening_balance == summary.closing_balance
    assert (after.total_out, after.line_count, after.closing_balance) == (700, 1, 48_100)


def test_running_balance_starts_from_the_opening_and_ends_at_the_closing(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    view = bank.statements.view(alice, account, OCT)
    running = view.summary.opening_balance
    for line in view.page.lines:
        running += line.amount
        assert line.balance_after == running
    assert running == view.summary.closing_balance


def test_an_empty_range_has_the_same_opening_and_closing_and_no_lines(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    quiet = StatementPeriod(date(2026, 10, 16), date(2026, 10, 30))
    summary = bank.statements.summary(alice, account, quiet)
    assert summary.opening_balance == summary.closing_balance == 48_500
    assert (summary.total_in, summary.total_out, summary.line_count) == (0, 0, 0)
    assert summary.first_posting_id is None
    assert bank.statements.lines(alice, account, quiet).lines == ()


def test_a_range_before_the_account_opened_is_all_zero(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    summary = bank.statements.summary(
        alice, account, StatementPeriod.parse("2025-01-01", "2025-12-31")
    )
    assert (summary.opening_balance, summary.closing_balance, summary.line_count) == (0, 0, 0)


def test_a_future_range_opens_and_closes_at_the_current_balance(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    summary = bank.statements.summary(
        alice, account, StatementPeriod.parse("2027-03-01", "2027-03-31")
    )
    balance = bank.accounts.get(alice, account).balance
    assert summary.opening_balance == summary.closing_balance == balance == 48_100
    assert summary.line_count == 0


def test_pages_walk_every_line_once_in_order_even_when_postings_share_an_instant(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    _at(clock, datetime(2026, 10, 2, 8))
    account = funded_account(bank, alice, 0)
    for i in range(1, 24):
        if i % 4 == 0:
            clock.advance(timedelta(hours=5))  # groups of postings at the same instant
        bank.payments.deposit(alice, account, i, memo=f"d{i}")
    seen, cursor = [], None
    while True:
        page = bank.statements.lines(alice, account, OCT, cursor=cursor, limit=5)
        seen.extend(page.lines)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [line.memo for line in seen] == [f"d{i}" for i in range(1, 24)]
    assert len({line.posting_id for line in seen}) == 23


def test_presets_name_whole_days_as_seen_today() -> None:
    today = date(2026, 11, 20)
    assert StatementPeriod.for_preset(Preset.THIS_MONTH, today) == StatementPeriod(
        date(2026, 11, 1), today, Preset.THIS_MONTH
    )
    assert StatementPeriod.for_preset("last-month", today).first_day == date(2026, 10, 1)
    assert StatementPeriod.for_preset("last-month", today).last_day == date(2026, 10, 31)
    ninety = StatementPeriod.for_preset(Preset.LAST_90_DAYS, today)
    assert (ninety.end - ninety.start).days == 90 and ninety.last_day == today
    assert StatementPeriod.for_preset(Preset.YEAR_TO_DATE, today).first_day == date(2026, 1, 1)
    january = StatementPeriod.for_preset(Preset.LAST_MONTH, date(2027, 1, 5))
    assert (january.first_day, january.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    assert OCT.end == datetime(2026, 11, 1) and OCT.label == "1 Oct 2026 to 31 Oct 2026"


@pytest.mark.parametrize(
    ("first", "last"), [("2026-10-31", "2026-10-01"), ("31/10/2026", "2026-11-01")]
)
def test_a_backwards_or_unreadable_period_is_refused(first: str, last: str) -> None:
    with pytest.raises(ValidationFailed):
        StatementPeriod.parse(first, last)


def test_a_customer_cannot_see_or_print_another_customers_statement(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    mallory = make_customer(bank, "mallory")
    account = _october_history(bank, clock, alice)
    with pytest.raises(AccountNotFound):
        bank.statements.summary(mallory, account, OCT)
    with pytest.raises(AccountNotFound):
        bank.statements.lines(mallory, account, OCT)
    with pytest.raises(AccountNotFound):
        bank.statements.generate(mallory, account, OCT)
    number = bank.accounts.get(alice, account).number
    with pytest.raises(AccountNotFound):
        bank.statements.account_id_for_number(mallory, number)
    document = bank.statements.generate(alice, account, OCT)
    with pytest.raises(NotFound):
        bank.statements.reprint(mallory, document.statement_id)
    assert (
        bank.db.read(
            lambda tx: tx.conn.execute(select(func.count()).select_from(Statement)).scalar_one()
        )
        == 1
    )


def test_staff_can_print_a_customers_statement(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    teller = make_staff(bank, "tina", Role.TELLER)
    number = bank.accounts.get(alice, account).number
    assert bank.statements.account_id_for_number(teller, number) == account
    document = bank.statements.generate(teller, account, OCT)
    assert document.generated_by == "tina"
    assert document.summary.holder_name == "Alice Tester"


def test_a_generated_statement_is_recorded_audited_and_reprinted_identically(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    first = bank.statements.generate(alice, account, OCT)
    # Later activity, a rename of the account: the reprint is still the same document.
    _at(clock, datetime(2026, 11, 21, 9))
    bank.payments.deposit(alice, account, 999, memo="later")
    bank.accounts.rename(alice, account, "Renamed")
    again = bank.statements.reprint(alice, first.statement_id)
    assert again == first
    row = bank.db.read(lambda tx: tx.conn.execute(select(Statement)).one())
    assert (row.requested_by, row.period_start, row.period_end) == (
        alice.user_id,
        datetime(2026, 10, 1),
        datetime(2026, 11, 1),
    )
    assert (row.opening_balance, row.closing_balance, row.line_count) == (50_000, 48_800, 3)
    kinds = audit_kinds(bank)
    assert kinds[-1] == "statement.reprint" and "statement.generate" in kinds
    assert bank.verify().ok


def test_a_reprint_is_refused_when_the_ledger_no_longer_matches(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    document = bank.statements.generate(alice, account, OCT)
    postings = Posting
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            postings.update()
            .where(postings.c.id == document.lines[1].posting_id)
            .values(amount=-2_400)
        ),
    )
    with pytest.raises(StatementMismatch):
        bank.statements.reprint(alice, document.statement_id)


def test_the_balance_series_runs_from_opening_to_closing(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    account = _october_history(bank, clock, alice)
    series = bank.statements.balance_series(alice, account, OCT, points=10)
    summary = bank.statements.summary(alice, account, OCT)
    assert len(series) == 10
    assert series[0] == summary.opening_balance
    assert series[-1] == summary.closing_balance
    assert 48_500 in series


def test_the_register_lists_an_accounts_statements_newest_first(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    mallory = make_customer(bank, "mallory")
    account = _october_history(bank, clock, alice)
    first = bank.statements.generate(alice, account, OCT)
    second = bank.statements.generate(alice, account, bank.statements.period("this-month"))
    records = bank.statements.records(alice, account)
    assert [r.statement_id for r in records] == [second.statement_id, first.statement_id]
    assert records[1].period == OCT
    assert (records[1].opening_balance, records[1].closing_balance) == (50_000, 48_800)
    with pytest.raises(AccountNotFound):
        bank.statements.records(mallory, account)
