"""Snapshots of the audit log, filtered."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import SignInStaff, Snap, Type, snap, steps


def test_audit_log_filtered_by_kind(snap_compare: Snap, demo_bank: Bank) -> None:
    """Only drawer events, newest first."""
    script = steps(
        SignInStaff("admin"),
        "l",
        lambda pilot: pilot.click("#audit-kind"),
        Type("drawer."),
        "enter",
    )
    assert snap(snap_compare, demo_bank, script)
