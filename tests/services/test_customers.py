"""Customer search and overview for staff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import PermissionDenied, UserNotFound, ValidationFailed
from tests.fixtures import funded_account, make_customer, make_staff, make_user


def add_customer(bank: Bank, username: str, full_name: str, phone: str = "") -> int:
    email = f"{username}@mail.example"
    return make_user(
        bank, username, Role.CUSTOMER, full_name=full_name, email=email, phone=phone
    ).user_id


def names(page: object) -> list[str]:
    return [m.full_name for m in page.matches]  # type: ignore[attr-defined]


def test_search_matches_part_of_a_name_email_or_phone(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    add_customer(bank, "mmartin", "Maria Martin", "+1 555 0142")
    add_customer(bank, "jmartinez", "Jorge Martinez", "+1 555 0199")
    add_customer(bank, "okafor", "Bob Okafor", "+44 20 7946 0018")
    assert names(bank.customers.search(teller, "martin")) == ["Jorge Martinez", "Maria Martin"]
    assert names(bank.customers.search(teller, "OKAF")) == ["Bob Okafor"]
    assert names(bank.customers.search(teller, "jmartinez@mail")) == ["Jorge Martinez"]
    assert names(bank.customers.search(teller, "5550142")) == ["Maria Martin"]
    assert names(bank.customers.search(teller, "0199")) == ["Jorge Martinez"]
    assert names(bank.customers.search(teller, "nobody here")) == []


def test_search_finds_a_customer_by_part_of_an_account_number(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice", "Alice Martin")
    make_customer(bank, "bob", "Bob Stone")
    account = bank.accounts.open(alice, AccountKind.CHECKING)
    page = bank.customers.search(teller, account.number[3:9])
    assert names(page) == ["Alice Martin"]
    assert page.matches[0].accounts[0].endswith(account.number[-4:])
    assert account.number not in page.matches[0].accounts  # masked


def test_search_never_returns_staff_and_wildcards_are_literal(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    make_staff(bank, "martina", Role.ADMIN)
    add_customer(bank, "pct", "Percent 100% Ltd")
    add_customer(bank, "plain", "Plain Name")
    assert names(bank.customers.search(teller, "martina")) == []
    assert names(bank.customers.search(teller, "0%")) == ["Percent 100% Ltd"]
    assert names(bank.customers.search(teller, "__")) == []


def test_search_pages_by_name_without_gaps_or_repeats(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    for i in range(7):
        add_customer(bank, f"smith{i}", f"Sam Smith{'' if i % 2 else ' Jr'}")
    seen: list[int] = []
    cursor = None
    while True:
        page = bank.customers.search(teller, "smith", cursor=cursor, limit=3)
        seen += [m.id for m in page.matches]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 7


def test_search_is_for_staff_and_needs_two_characters(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    with pytest.raises(PermissionDenied):
        bank.customers.search(alice, "alice")
    with pytest.raises(ValidationFailed):
        bank.customers.search(teller, " a ")


def test_overview_shows_profile_accounts_and_recent_activity(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice", "Alice Martin")
    account = funded_account(bank, alice, 12_000)
    bank.payments.withdraw(alice, account, 2_000, memo="Groceries")
    view = bank.customers.overview(teller, alice.user_id)
    assert view.user.full_name == "Alice Martin"
    assert [a.balance for a in view.accounts] == [10_000]
    assert [(r.memo, r.amount) for r in view.recent] == [
        ("Groceries", -2_000),
        ("Cash deposit", 12_000),
    ]
    with pytest.raises(UserNotFound):
        bank.customers.overview(teller, teller.user_id)
    with pytest.raises(PermissionDenied):
        bank.customers.overview(alice, alice.user_id)


def test_recent_customers_are_the_callers_own_latest_openings_first(
    bank: Bank, clock: FixedClock
) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    tom = make_staff(bank, "tom", Role.TELLER)
    maria = add_customer(bank, "mmartin", "Maria Martin")
    bob = add_customer(bank, "okafor", "Bob Okafor")
    assert bank.customers.recent(tina) == ()
    for customer in (maria, bob, maria):  # maria again: one line, moved to the top
        bank.customers.overview(tina, customer)
        clock.advance(timedelta(minutes=1))
    bank.customers.overview(tom, bob)
    assert [c.full_name for c in bank.customers.recent(tina)] == ["Maria Martin", "Bob Okafor"]
    assert [c.id for c in bank.customers.recent(tina, limit=1)] == [maria]
    assert [c.username for c in bank.customers.recent(tom)] == ["okafor"]  # his own list


def test_recent_customers_are_for_staff_and_count_only_real_openings(bank: Bank) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice", "Alice Martin")
    with pytest.raises(PermissionDenied):
        bank.customers.recent(alice)
    with pytest.raises(UserNotFound):
        bank.customers.overview(tina, 10**9)
    with pytest.raises(UserNotFound):
        bank.customers.overview(tina, tina.user_id)  # staff are not customers
    assert bank.customers.recent(tina, limit=10**6) == ()  # nothing refused was remembered
    assert bank.customers.recent(tina, limit=-5) == ()
