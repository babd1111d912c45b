"""Deposits, withdrawals and transfers: balanced, atomic, idempotent, refused cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import (
    AccountNotFound,
    AccountNotOpen,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    SameAccount,
    ValidationFailed,
)
from bankapp.storage.models import Posting
from tests.fixtures import entry_count, funded_account, make_customer, make_staff


def test_a_deposit_is_one_entry_with_two_postings_that_sum_to_zero(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    result = bank.payments.deposit(alice, account, 12_345, memo="birthday")
    assert result.balances[account] == 12_345
    legs = bank.db.read(
        lambda tx: (
            tx.conn.execute(select(Posting.c.amount).where(Posting.c.entry_id == result.entry_id))
            .scalars()
            .all()
        )
    )
    assert sorted(legs) == [-12_345, 12_345]
    assert bank.verify().ok


def test_insufficient_funds_names_both_amounts_and_changes_nothing(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 2_000)
    entries = entry_count(bank)
    with pytest.raises(InsufficientFunds) as caught:
        bank.payments.withdraw(alice, account, 5_000)
    assert caught.value.message == "Insufficient funds: available $20.00, requested $50.00."
    assert bank.accounts.get(alice, account).balance == 2_000
    assert entry_count(bank) == entries


def test_a_withdrawal_may_empty_the_account_exactly(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 2_000)
    assert bank.payments.withdraw(alice, account, 2_000).balances[account] == 0


def test_repeating_a_request_with_its_key_posts_once_and_returns_the_first_result(
    bank: Bank,
) -> None:
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    source = funded_account(bank, alice, 10_000)
    target = bank.accounts.open(bob, AccountKind.CHECKING)
    first = bank.payments.transfer(alice, source, target.number, 3_000, idempotency_key="k-1")
    again = bank.payments.transfer(alice, source, target.number, 3_000, idempotency_key="k-1")
    assert again.replayed and not first.replayed
    assert again.entry_id == first.entry_id
    assert bank.accounts.get(alice, source).balance == 7_000
    with pytest.raises(IdempotencyConflict):
        bank.payments.transfer(alice, source, target.number, 4_000, idempotency_key="k-1")
    assert bank.accounts.get(bob, target.id).balance == 3_000


def test_frozen_and_closed_accounts_refuse_money_both_ways(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    source = funded_account(bank, alice, 10_000)
    other = bank.accounts.open(alice, AccountKind.SAVINGS)
    bank.accounts.freeze(teller, other.id, "suspicious activity")
    with pytest.raises(AccountNotOpen) as into_frozen:
        bank.payments.transfer(alice, source, other.number, 100)
    assert into_frozen.value.field == "destination"
    with pytest.raises(AccountNotOpen):
        bank.payments.withdraw(alice, other.id, 100)
    bank.accounts.unfreeze(teller, other.id)
    bank.accounts.close(alice, other.id)
    with pytest.raises(AccountNotOpen):
        bank.payments.deposit(alice, other.id, 100)
    assert bank.accounts.get(alice, source).balance == 10_000
    assert bank.verify().ok


@pytest.mark.parametrize("amount", [0, -1, 10**12, 1.5, True])
def test_nonsense_amounts_are_refused_by_the_service_itself(bank: Bank, amount: object) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 1_000)
    with pytest.raises(InvalidAmount):
        bank.payments.deposit(alice, account, amount)  # type: ignore[arg-type]


def test_transfers_refuse_the_same_account_and_unknown_numbers(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    source = funded_account(bank, alice, 1_000)
    number = bank.accounts.get(alice, source).number
    with pytest.raises(SameAccount):
        bank.payments.transfer(alice, source, number, 100)
    with pytest.raises(AccountNotFound) as caught:
        bank.payments.transfer(alice, source, "000000000000", 100)
    assert caught.value.field == "destination"


def test_a_transfer_is_refused_for_its_source_before_its_destination(bank: Bank) -> None:
    """The source and destination are read together; the source's refusal still comes
    first, so a stranger learns nothing about a destination number from the answer."""
    alice = make_customer(bank, "alice")
    mallory = make_customer(bank, "mallory")
    source = funded_account(bank, alice, 1_000)
    theirs = funded_account(bank, mallory, 1_000)
    theirs_number = bank.accounts.get(mallory, theirs).number
    for destination in ("000000000000", theirs_number):
        with pytest.raises(AccountNotFound) as caught:
            bank.payments.transfer(mallory, source, destination, 100)
        assert caught.value.field != "destination"
        with pytest.raises(AccountNotFound) as caught:
            bank.payments.transfer(alice, 10**9, destination, 100)
        assert caught.value.field != "destination"
    with pytest.raises(AccountNotFound) as caught:
        bank.payments.transfer(alice, source, 12345, 100)  # type: ignore[arg-type]
    assert caught.value.field == "destination"
    assert bank.accounts.get(alice, source).balance == 1_000
    assert bank.accounts.get(mallory, theirs).balance == 1_000


def test_memos_with_control_characters_are_refused(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 1_000)
    with pytest.raises(ValidationFailed) as caught:
        bank.payments.withdraw(alice, account, 100, memo="\x1b[31mred")
    assert caught.value.field == "memo"
    assert bank.accounts.get(alice, account).balance == 1_000


def test_transfers_accept_numbers_typed_with_spaces(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    source = funded_account(bank, alice, 1_000)
    target = bank.accounts.open(alice, AccountKind.SAVINGS)
    spaced = " ".join(target.number[i : i + 4] for i in range(0, 12, 4))
    bank.payments.transfer(alice, source, spaced, 250)
    assert bank.accounts.get(alice, target.id).balance == 250


def test_money_moves_between_customers_and_the_ledger_verifies(bank: Bank) -> None:
    """A customer's first day: open accounts, deposit, transfer, withdraw; the books balance."""
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    a1 = funded_account(bank, alice, 10_000)
    a2 = bank.accounts.open(alice, AccountKind.SAVINGS, "Savings")
    b1 = funded_account(bank, bob, 0)
    bank.payments.transfer(alice, a1, a2.number, 2_500, memo="to savings")
    bank.payments.transfer(alice, a1, bank.accounts.get(bob, b1).number, 1_000)
    bank.payments.withdraw(alice, a1, 500)
    assert bank.accounts.get(alice, a1).balance == 6_000
    assert bank.accounts.get(alice, a2.id).balance == 2_500
    assert bank.accounts.get(bob, b1).balance == 1_000
    with pytest.raises(InsufficientFunds):
        bank.payments.withdraw(alice, a1, 6_001)
    assert bank.accounts.get(alice, a1).balance == 6_000
    report = bank.verify()
    assert report.ok, report.problems
    assert report.entries == 4


@pytest.mark.parametrize(
    "text",
    [
        "card 4111111111111111",
        "4111 1111 1111 1111 thanks",
        "ref 4111-1111-1111-1111",
        "378282246310005",  # 15 digits (Amex test number)
    ],
)
def test_a_card_number_typed_into_a_memo_is_refused(bank: Bank, text: str) -> None:
    """The attack: a card number typed into a memo was stored and exported in clear."""
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 10_000)
    savings = bank.accounts.open(alice, AccountKind.SAVINGS)
    entries = entry_count(bank)
    with pytest.raises(ValidationFailed, match="card number") as caught:
        bank.payments.transfer(alice, account, savings.number, 100, memo=text)
    assert caught.value.field == "memo"
    with pytest.raises(ValidationFailed, match="card number"):
        bank.accounts.rename(alice, account, text[:60])
    assert entry_count(bank) == entries


def test_long_numbers_that_are_not_card_numbers_are_fine_in_a_memo(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 10_000)
    savings = bank.accounts.open(alice, AccountKind.SAVINGS)
    for memo in ("Invoice 4111111111111112", "Call +1 555 0101 2233", "Order 2026-11-20"):
        bank.payments.transfer(alice, account, savings.number, 100, memo=memo)
