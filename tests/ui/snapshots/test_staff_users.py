"""Snapshots of the staff users list and the new staff user form."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import SignInStaff, Snap, snap, steps


def test_staff_users(snap_compare: Snap, demo_bank: Bank) -> None:
    """Tellers and admins with role, status and second-factor state."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "s"))


def test_new_staff_user_form(snap_compare: Snap, demo_bank: Bank, fixed_secrets: None) -> None:
    """The new staff form with a generated temporary password."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "s", "n"))


def test_staff_users_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The staff list at 80x24."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "s"), size=(80, 24))
