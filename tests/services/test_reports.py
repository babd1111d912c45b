"""The end-of-day report: each drawer's opening cash, cash in and out, count and difference, and the
day's totals per kind of movement."""

from __future__ import annotations

from datetime import date

import pytest

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Role
from bankapp.errors import PermissionDenied
from tests.fixtures import funded_account, make_customer, make_staff


def test_end_of_day_shows_each_drawer_and_totals_per_kind(bank: Bank, clock: FixedClock) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    ted = make_staff(bank, "ted", Role.TELLER)
    boss = make_staff(bank, "boss", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 50_000)
    bank.drawers.open_drawer(tina, 10_000)
    bank.payments.deposit(tina, account, 3_000)
    bank.payments.deposit(tina, account, 1_000)
    bank.payments.withdraw(tina, account, 2_500)
    bank.drawers.close_drawer(tina, 11_400)
    bank.drawers.open_drawer(ted, 5_000)
    report = bank.reports.end_of_day(boss)
    assert report.day == clock.now().date()
    first, second = (d for d in report.drawers if d.teller in ("tina", "ted"))
    assert (first.teller, first.opening_cash, first.cash_in, first.cash_out) == (
        "tina",
        10_000,
        4_000,
        2_500,
    )
    assert (first.expected, first.counted, first.difference) == (11_500, 11_400, -100)
    assert (second.teller, second.status, second.expected, second.counted) == (
        "ted",
        "open",
        5_000,
        None,
    )
    kinds = {k.kind: (k.count, k.total) for k in report.kinds}
    assert kinds["deposit"] == (3, 54_000) and kinds["withdrawal"] == (1, 2_500)
    assert report.total_difference == -100
    # A teller sees their own drawers only; another day is empty.
    assert [d.teller for d in bank.reports.end_of_day(ted).drawers] == ["ted"]
    assert bank.reports.end_of_day(boss, date(2020, 1, 1)).drawers == ()
    with pytest.raises(PermissionDenied):
        bank.reports.end_of_day(alice)
