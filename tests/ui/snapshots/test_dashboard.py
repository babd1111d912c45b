"""Snapshots of the customer's dashboard (120x34 and 80x24) and its open-account modal."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import SignIn, Snap, snap, steps


def test_dashboard_lists_accounts_total_and_recent_activity(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Accounts with masked numbers, type, balance and status; the total; recent activity."""
    assert snap(snap_compare, demo_bank, SignIn("carol"))


def test_dashboard_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The dashboard fits a classic 80x24 terminal: balances, total and the key hints."""
    assert snap(snap_compare, demo_bank, SignIn("alice"), size=(80, 24))


def test_open_account_modal(snap_compare: Snap, demo_bank: Bank) -> None:
    """O opens a small modal: kind and an optional name."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "o"))
