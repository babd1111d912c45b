"""A customer's first day: open accounts, deposit, transfer, withdraw; the books stay balanced."""

from __future__ import annotations

import pytest

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind
from bankapp.errors import InsufficientFunds
from tests.fixtures import funded_account, make_customer


def test_money_moves_between_customers_and_the_ledger_verifies(bank: Bank) -> None:
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
