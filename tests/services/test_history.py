"""History pages come from SQL by keyset, newest first, with filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind
from bankapp.errors import AccountNotFound, ValidationFailed
from bankapp.services.history import HistoryFilter
from tests.fixtures import funded_account, make_customer, settle


def test_pages_walk_the_whole_history_once_newest_first(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    for i in range(1, 26):
        clock.advance(timedelta(hours=1))
        bank.payments.deposit(alice, account, i * 100, memo=f"deposit {i}")
    seen, cursor = [], None
    while True:
        page = bank.history.page(alice, account, cursor=cursor, limit=10)
        seen.extend(page.lines)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [line.amount for line in seen] == [i * 100 for i in range(25, 0, -1)]
    assert seen[0].balance_after == sum(range(1, 26)) * 100
    assert all(line.counterparty == "Checks in clearing" for line in seen)  # her own: checks


def test_filters_by_date_kind_amount_and_memo(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    savings = bank.accounts.open(alice, AccountKind.SAVINGS)
    start = clock.now()
    bank.payments.deposit(alice, account, 10_000, memo="Salary 100%")
    clock.advance(timedelta(days=2))
    settle(bank)  # the check cleared
    bank.payments.withdraw(alice, account, 2_500, memo="Groceries")
    clock.advance(timedelta(days=1))
    bank.payments.transfer(alice, account, savings.number, 1_000, memo="to_savings")

    def amounts(**kw: object) -> list[int]:
        page = bank.history.page(alice, account, filters=HistoryFilter(**kw))  # type: ignore[arg-type]
        return [line.amount for line in page.lines]

    assert amounts(kind="atm_withdrawal") == [-2_500]
    assert amounts(kind="check_deposit") == [10_000]
    assert amounts(since=start + timedelta(hours=12)) == [-1_000, -2_500]
    assert amounts(until=start + timedelta(hours=12)) == [10_000]
    assert amounts(min_amount=2_000) == [-2_500, 10_000]
    assert amounts(max_amount=2_000) == [-1_000]
    assert amounts(memo_contains="100%") == [10_000]
    assert amounts(memo_contains="o_s") == [-1_000]  # "_" is literal, not a wildcard
    assert amounts(memo_contains="grocer") == [-2_500]
    with pytest.raises(ValidationFailed):
        amounts(min_amount=5, max_amount=1)


def test_a_customer_cannot_page_someone_elses_history(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    account = funded_account(bank, alice, 100)
    with pytest.raises(AccountNotFound):
        bank.history.page(bob, account)


def test_recent_activity_is_one_query_whatever_the_number_of_accounts(
    bank: Bank, clock: FixedClock
) -> None:
    """The dashboard's activity: the same lines as merging each account's first page, read
    with as many statements for three accounts as for one."""
    alice = make_customer(bank, "alice")
    checking = funded_account(bank, alice, 50_000)
    savings = bank.accounts.open(alice, AccountKind.SAVINGS)
    business = bank.accounts.open(alice, AccountKind.BUSINESS)
    for i in range(1, 7):
        clock.advance(timedelta(hours=1))
        target = (savings, business)[i % 2]
        bank.payments.transfer(alice, checking, target.number, i * 100, memo=f"move {i}")
    ids = [checking, savings.id, business.id]
    merged = [line for account in ids for line in bank.history.page(alice, account, limit=5).lines]
    expected = sorted(merged, key=lambda line: line.posting_id, reverse=True)[:5]

    statements: list[str] = []
    event.listen(bank.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert bank.history.recent(alice, ids, limit=5) == expected
    for_three = len(statements)
    statements.clear()
    bank.history.recent(alice, [checking], limit=5)
    assert len(statements) == for_three
    assert {line.account_id for line in expected} == {checking, savings.id, business.id}


def test_recent_activity_refuses_an_account_the_caller_may_not_see(bank: Bank) -> None:
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    mine = funded_account(bank, alice, 100)
    theirs = funded_account(bank, bob, 100)
    assert bank.history.recent(alice, [mine])
    with pytest.raises(AccountNotFound):
        bank.history.recent(alice, [mine, theirs])
    with pytest.raises(AccountNotFound):
        bank.history.recent(alice, [mine, 987_654])
