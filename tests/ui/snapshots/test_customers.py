"""Snapshots of the staff's customer screens: search, overview, registering a customer."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import (
    Keys,
    SignInStaff,
    Snap,
    Type,
    find_customer,
    open_alice,
    snap,
    steps,
)
from tests.ui.test_customer_unlock import lock_out


def test_customer_search_by_part_of_a_name(snap_compare: Snap, demo_bank: Bank) -> None:
    """Search results with masked account numbers."""
    script = steps(SignInStaff("teller"), Keys("f", settle=False), Type("ar"), "enter")
    assert snap(snap_compare, demo_bank, script)


def test_customer_overview(snap_compare: Snap, demo_bank: Bank) -> None:
    """Profile, accounts, cards and recent activity of one customer."""
    assert snap(snap_compare, demo_bank, open_alice)


def test_new_customer_form(snap_compare: Snap, demo_bank: Bank, fixed_secrets: None) -> None:
    """A teller registers a customer; the temporary password must be changed at sign-in."""
    script = steps(SignInStaff("teller"), "f", "f2", Type("dora"))
    assert snap(snap_compare, demo_bank, script)


def test_a_locked_out_customer_as_a_supervisor_sees_them(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """alice locked out by wrong passwords: her overview says until when, and U unlocks."""
    lock_out(demo_bank, "alice")
    script = steps(SignInStaff("admin"), find_customer("alice"))
    assert snap(snap_compare, demo_bank, script)


def test_a_locked_out_customer_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    lock_out(demo_bank, "alice")
    script = steps(SignInStaff("admin"), find_customer("alice"))
    assert snap(snap_compare, demo_bank, script, size=(80, 24))
