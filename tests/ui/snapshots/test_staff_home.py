"""Snapshots of the staff home for a teller and for a supervisor: tasks, drawer, requests,
recent customers."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import SignInStaff, Snap, Type, snap, steps


def test_teller_home_shows_the_drawer_and_pending_requests(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The teller's menu, their open drawer's cash and their own pending requests."""
    assert snap(snap_compare, demo_bank, SignInStaff("teller"))


def test_admin_home_lists_the_admin_tasks(snap_compare: Snap, demo_bank: Bank) -> None:
    """The supervisor's menu adds staff users and the audit log."""
    assert snap(snap_compare, demo_bank, SignInStaff("admin"))


def test_teller_home_at_80x24_lists_recent_customers(snap_compare: Snap, demo_bank: Bank) -> None:
    """Menu, drawer, requests and the recent customers (1-5) all fit at 80x24."""
    assert snap(snap_compare, demo_bank, SignInStaff("teller"), size=(80, 24))


def test_installation_settings(snap_compare: Snap, demo_bank: Bank) -> None:
    """Every setting with its value, default and who changed it (admin's i)."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "i"))


def test_change_setting_form(snap_compare: Snap, demo_bank: Bank) -> None:
    """Enter on the daily ATM limit: its value now, its default, what it is for, and the
    boxes for the new value and the reason."""
    script = steps(SignInStaff("admin"), "i", *["down"] * 5, "enter")
    assert snap(snap_compare, demo_bank, script)


def test_change_setting_form_at_80x24_shows_a_refused_value(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The change form for the daily ATM limit with a value refused before anything is filed."""
    assert snap(
        snap_compare,
        demo_bank,
        steps(SignInStaff("admin"), "i", *["down"] * 5, "enter", Type("12 5"), "enter"),
        size=(80, 24),
    )
