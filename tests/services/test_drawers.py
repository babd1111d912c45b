"""Cash drawers: open with opening cash, take cash through the drawer, close with a count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.domain.types import Role
from bankapp.errors import DrawerRequired, DrawerState, InvalidAmount, PermissionDenied
from bankapp.services.drawers import OVER_SHORT
from bankapp.services.ledger import BANK_CASH
from bankapp.services.payments import CHECK_CLEARING
from bankapp.storage.models import Account
from tests.fixtures import audit_kinds, funded_account, make_customer, make_staff


def internal_balance(bank: Bank, code: str) -> int:
    table = Account
    found = bank.db.read(
        lambda tx: tx.conn.execute(
            select(table.c.balance).where(table.c.internal_code == code)
        ).scalar_one_or_none()
    )
    return int(found or 0)


def test_a_teller_without_an_open_drawer_cannot_take_cash(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 5_000)
    with pytest.raises(DrawerRequired):
        bank.payments.deposit(teller, account, 1_000)
    with pytest.raises(DrawerRequired):
        bank.payments.withdraw(teller, account, 1_000)
    assert bank.accounts.get(alice, account).balance == 5_000


def test_cash_taken_by_a_teller_goes_through_the_drawer_and_balances_at_close(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 5_000)
    bank_cash_before = internal_balance(bank, BANK_CASH)
    opened = bank.drawers.open_drawer(teller, 20_000)
    assert opened.cash_on_hand == 20_000 and opened.status == "open"
    bank.payments.deposit(teller, account, 7_500)
    bank.payments.withdraw(teller, account, 2_500)
    assert bank.drawers.current(teller).cash_on_hand == 25_000  # type: ignore[union-attr]
    closed = bank.drawers.close_drawer(teller, 25_000)
    assert (closed.expected_cash, closed.counted_cash, closed.difference) == (25_000, 25_000, 0)
    assert closed.status == "closed" and bank.drawers.current(teller) is None
    # The vault got back the opening cash plus the net cash taken; the drawer account is empty.
    assert internal_balance(bank, BANK_CASH) == bank_cash_before - 5_000
    assert bank.accounts.get(alice, account).balance == 10_000
    assert internal_balance(bank, OVER_SHORT) == 0
    assert "drawer.short" not in audit_kinds(bank) and "drawer.over" not in audit_kinds(bank)
    assert bank.verify().ok


def test_a_shortage_is_posted_to_over_short_and_audited(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    bank.drawers.open_drawer(teller, 10_000)
    bank.payments.deposit(teller, account, 3_000)
    closed = bank.drawers.close_drawer(teller, 12_950)
    assert (closed.expected_cash, closed.difference) == (13_000, -50)
    assert internal_balance(bank, OVER_SHORT) == -50
    assert audit_kinds(bank)[-2:] == ["drawer.close", "drawer.short"]
    assert bank.verify().ok and bank.verify_audit().ok


def test_an_overage_is_posted_to_over_short(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    bank.drawers.open_drawer(teller, 0)
    closed = bank.drawers.close_drawer(teller, 1_000)
    assert (closed.expected_cash, closed.difference) == (0, 1_000)
    assert internal_balance(bank, OVER_SHORT) == 1_000
    assert audit_kinds(bank)[-1] == "drawer.over"
    assert bank.verify().ok


def test_a_teller_cannot_open_two_drawers_or_close_none(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    with pytest.raises(DrawerState):
        bank.drawers.close_drawer(teller, 0)
    bank.drawers.open_drawer(teller, 100)
    with pytest.raises(DrawerState):
        bank.drawers.open_drawer(teller, 100)
    bank.drawers.close_drawer(teller, 100)
    again = bank.drawers.open_drawer(teller, 200)
    assert again.cash_on_hand == 200


def test_each_teller_takes_cash_into_their_own_drawer(bank: Bank) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    ted = make_staff(bank, "ted", Role.TELLER)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    bank.drawers.open_drawer(tina, 1_000)
    bank.drawers.open_drawer(ted, 1_000)
    bank.payments.deposit(ted, account, 400)
    assert bank.drawers.current(tina).cash_on_hand == 1_000  # type: ignore[union-attr]
    assert bank.drawers.current(ted).cash_on_hand == 1_400  # type: ignore[union-attr]


def test_negative_or_fractional_counts_are_refused(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    with pytest.raises(InvalidAmount):
        bank.drawers.open_drawer(teller, -1)
    with pytest.raises(InvalidAmount):
        bank.drawers.open_drawer(teller, 1.5)  # type: ignore[arg-type]
    bank.drawers.open_drawer(teller, 0)
    with pytest.raises(InvalidAmount):
        bank.drawers.close_drawer(teller, -5)


def test_customers_have_no_drawer_and_their_own_deposits_are_no_cash(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    with pytest.raises(PermissionDenied):
        bank.drawers.open_drawer(alice, 100)
    account = funded_account(bank, alice, 0)
    vault = internal_balance(bank, BANK_CASH)
    bank.payments.deposit(alice, account, 900)  # a check, not cash
    assert internal_balance(bank, BANK_CASH) == vault
    assert internal_balance(bank, CHECK_CLEARING) == -900
    assert bank.accounts.get(alice, account).balance == 900


def test_a_teller_sees_only_their_own_drawer_but_an_admin_sees_all(bank: Bank) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    ted = make_staff(bank, "ted", Role.TELLER)
    boss = make_staff(bank, "boss", Role.ADMIN)
    drawer = bank.drawers.open_drawer(tina, 500)
    assert bank.drawers.get(boss, drawer.id).teller_name == "tina"
    with pytest.raises(Exception) as refused:
        bank.drawers.get(ted, drawer.id)
    assert refused.value.__class__.__name__ == "NotFound"


def test_a_drawer_cannot_pay_out_more_cash_than_it_holds(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 100_000)
    bank.drawers.open_drawer(teller, 5_000)
    with pytest.raises(DrawerState):
        bank.payments.withdraw(teller, account, 5_001)
    bank.payments.withdraw(teller, account, 5_000)
    assert bank.drawers.current(teller).cash_on_hand == 0  # type: ignore[union-attr]
    assert bank.accounts.get(alice, account).balance == 95_000
