"""Snapshots of cash at the counter: for a customer, in the drawer, in the day's report."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Select

from bankapp.bank import Bank
from tests.fixtures import acting_as
from tests.ui.helpers import Do, Keys, SignInStaff, Snap, Step, Type, open_alice, snap, steps


def test_cash_withdrawal_over_the_limit_goes_pending(snap_compare: Snap, demo_bank: Bank) -> None:
    """Over the approval threshold the withdrawal is a request; nothing moves."""
    script = steps(
        open_alice,
        Keys("w", settle=False),
        Type("10500"),
        Keys("enter", settle=False),
        Type("Car purchase"),
        "enter",
        "enter",  # the confirmation: send for approval
    )
    assert snap(snap_compare, demo_bank, script)


def cash_out_to_confirm(amount: str) -> Step:
    return steps(
        open_alice,
        Keys("w", settle=False),
        Type(amount),
        Keys("enter", settle=False),
        Type("Rent"),
        "enter",
    )


def test_cash_out_asks_first_naming_the_customer_balance_and_drawer(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Ctrl+S (or Enter on the memo) shows what the bank checked: the customer's account,
    the balance after and the drawer after the cash; nothing is paid yet."""
    assert snap(snap_compare, demo_bank, cash_out_to_confirm("40"))


def test_cash_out_asks_first_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    assert snap(snap_compare, demo_bank, cash_out_to_confirm("40"), size=(80, 24))


def test_cash_out_over_the_threshold_says_a_supervisor_decides(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Over the day's approval threshold the confirmation says it goes to a supervisor."""
    assert snap(snap_compare, demo_bank, cash_out_to_confirm("10500"))


def test_transfer_on_the_customers_behalf_to_an_unknown_account(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Another account number, one that does not exist: Enter on it looks the payee up and
    the error is beside it, with the focus there."""
    script = steps(open_alice, "t", Do(another_number), Type("1234567890"), "enter")
    assert snap(snap_compare, demo_bank, script)


def another_number(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#destination", Select).value = "other"


def to_bob(bank: Bank) -> Step:
    """alice's transfer form, to bob's Main account by its number, $25.00: confirmed."""
    teller = acting_as(bank, "teller")
    bob = bank.customers.search(teller, "bob").matches[0]
    number = bank.customers.overview(teller, bob.id).accounts[0].number
    return steps(open_alice, "t", Do(another_number), Type(number), "enter", Type("25"), "ctrl+s")


def test_transfer_on_the_customers_behalf_offers_their_own_accounts(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """T on alice: her other account by name first, then any account number."""
    assert snap(snap_compare, demo_bank, steps(open_alice, "t", "enter"))


def test_transfer_on_the_customers_behalf_confirms_the_payee_by_name(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The confirmation names both holders: alice's account and bob's, by name."""
    assert snap(snap_compare, demo_bank, to_bob(demo_bank))


def test_transfer_on_the_customers_behalf_confirms_at_80x24(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    assert snap(snap_compare, demo_bank, to_bob(demo_bank), size=(80, 24))


def test_drawer_screen_with_an_open_drawer(snap_compare: Snap, demo_bank: Bank) -> None:
    """The open drawer's opening cash and cash on hand, ready to be counted at close."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("teller"), "d"))


def test_closing_a_drawer_short_shows_expected_counted_and_difference(
    snap_compare: Snap,
    demo_bank: Bank,
) -> None:
    """Once the deposit waiting in it is approved, the drawer is counted $10.00 less than
    expected (the tolerance): it closes, the difference shown as short."""
    _decide_the_waiting_deposit(demo_bank)
    script = steps(
        SignInStaff("teller"),
        "d",
        Type("14065.00"),  # 1,500.00 opening cash + 75.00 + 12,500.00 in, less 10.00
        "enter",
        "enter",  # the confirmation
    )
    assert snap(snap_compare, demo_bank, script)


def count_short(bank: Bank) -> Step:
    """The drawer counted $10.00 short (the tolerance), once the waiting deposit is decided."""
    _decide_the_waiting_deposit(bank)
    return steps(SignInStaff("teller"), "d", Type("14065.00"), "enter")


def test_closing_a_drawer_short_asks_first(snap_compare: Snap, demo_bank: Bank) -> None:
    """Enter on the count: expected, counted and the difference (short) before it closes."""
    assert snap(snap_compare, demo_bank, count_short(demo_bank))


def test_closing_a_drawer_short_asks_first_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    assert snap(snap_compare, demo_bank, count_short(demo_bank), size=(80, 24))


def _decide_the_waiting_deposit(bank: Bank) -> None:
    admin = acting_as(bank, "admin")
    van = next(i for i in bank.approvals.page(admin).items if i.kind == "deposit")
    bank.approvals.approve(admin, van.id)


def test_end_of_day_report(snap_compare: Snap, demo_bank: Bank) -> None:
    """Today's drawers (one closed $5.00 short, one open) and totals per kind."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "r"))


def test_a_count_far_off_is_sent_to_a_supervisor(snap_compare: Snap, demo_bank: Bank) -> None:
    """Once the waiting deposit is decided, the teller counts the drawer $100 short: over
    the tolerance, it is offered to a supervisor instead of being written off."""
    _decide_the_waiting_deposit(demo_bank)
    drawer = demo_bank.drawers.current(acting_as(demo_bank, "teller"))
    assert drawer is not None
    counted = f"{(drawer.cash_on_hand - 10_000) / 100:.2f}"
    script = steps(SignInStaff("teller"), "d", Type(counted), "enter")
    assert snap(snap_compare, demo_bank, script)


def test_closing_the_business_day_asks_first(snap_compare: Snap, demo_bank: Bank) -> None:
    """`c` on the end-of-day report: what the close will do, before anything runs."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "r", "c"))


def test_closing_the_business_day_asks_first_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "r", "c"), size=(80, 24))


def test_end_of_day_report_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "r"), size=(80, 24))
