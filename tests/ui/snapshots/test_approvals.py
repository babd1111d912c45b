"""Snapshots of the maker-checker queue: pending requests and a rejection's reason."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import SignInStaff, Snap, Type, snap, steps


def test_approvals_queue_for_an_admin(snap_compare: Snap, demo_bank: Bank) -> None:
    """The pending request the teller made, with maker and memo."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "a"))


def test_rejecting_asks_for_a_reason(snap_compare: Snap, demo_bank: Bank) -> None:
    """R on a request opens the reason prompt."""
    script = steps(SignInStaff("admin"), "a", "r", Type("No proof of sale"))
    assert snap(snap_compare, demo_bank, script)
