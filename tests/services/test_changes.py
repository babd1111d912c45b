"""The change mark a signed-in screen polls: it moves when what the caller may see changes,
shows nothing of other customers' activity, needs a valid session, and does not keep an idle
session alive."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import BankError, SessionLocked
from tests.fixtures import (
    PASSWORD,
    SESSION_SETTINGS,
    cash_in,
    funded_account,
    make_customer,
    make_staff,
)


def test_a_customers_mark_moves_with_their_own_accounts_only(bank: Bank) -> None:
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    mine = funded_account(bank, alice, 10_000)
    theirs = funded_account(bank, bob, 10_000)
    seen = bank.changes.mark(alice)
    assert bank.changes.mark(alice) == seen  # nothing changed: the same mark

    cash_in(bank, theirs, 500)  # bob's money moves: nothing alice sees
    bank.accounts.open(bob, AccountKind.SAVINGS)
    assert bank.changes.mark(alice) == seen

    cash_in(bank, mine, 500)  # at the counter, on another workstation
    moved = bank.changes.mark(alice)
    assert moved != seen
    bank.accounts.rename(alice, mine, "Bills")
    assert bank.changes.mark(alice) != moved


def test_staffs_mark_moves_with_anything_the_bank_records(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    seen = bank.changes.mark(teller)
    alice = make_customer(bank, "alice")
    funded_account(bank, alice, 10_000)
    assert bank.changes.mark(teller) != seen


@pytest.mark.parametrize(
    "actor",
    [
        Actor(user_id=1, username="alice", role=Role.CUSTOMER, session="not-a-session"),
        "alice",
        None,
    ],
)
def test_the_mark_needs_a_session(bank: Bank, actor: object) -> None:
    make_customer(bank, "alice")
    with pytest.raises(BankError):
        bank.changes.mark(actor)  # type: ignore[arg-type]


def test_polling_the_mark_does_not_keep_an_idle_session_alive(
    strict_bank: Bank, clock: FixedClock
) -> None:
    bank = strict_bank
    make_customer(bank, "alice")
    actor = bank.auth.login("alice", PASSWORD).actor
    idle = SESSION_SETTINGS.session_idle_timeout
    for _ in range(4):  # a poll every quarter of the timeout, and nothing else
        clock.advance(idle / 4)
        bank.changes.mark(actor)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(SessionLocked):
        bank.accounts.list_accounts(actor)
