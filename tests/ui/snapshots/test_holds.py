"""Snapshots of money on hold: the account's balance, held and available, and its holds."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import SignIn, SignInStaff, Snap, find_customer, snap, steps


def test_the_holds_of_an_account(snap_compare: Snap, demo_bank: Bank) -> None:
    """alice's everyday account after the demo: her salary check clearing and the card
    purchases of the last day waiting to settle."""
    script = steps(SignIn("alice"), "enter", "h")
    assert snap(snap_compare, demo_bank, script)


def test_staff_return_an_uncleared_check_with_a_reason(snap_compare: Snap, demo_bank: Bank) -> None:
    """A teller on alice's account holds: X on the check asks why it is returned."""
    script = steps(SignInStaff("teller"), find_customer("alice"), "h", "down", "x")
    assert snap(snap_compare, demo_bank, script)


def test_the_holds_of_an_account_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """alice's holds at 80x24: what is held, how much, until when."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "enter", "h"), size=(80, 24))
