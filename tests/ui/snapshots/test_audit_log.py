"""Snapshots of the audit log, filtered."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import Do, SignInStaff, Snap, Type, snap, steps


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


def test_audit_log_filters_fit_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """Each filter box shows its whole hint (user, kind, both dates) and what is typed."""
    script = steps(
        SignInStaff("admin"),
        "l",
        lambda pilot: pilot.click("#audit-user"),
        Type("teller"),
    )
    assert snap(snap_compare, demo_bank, script, size=(80, 24))


def test_an_audit_event_in_full_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """Enter on a deposit's event: its fields one per line, the account masked, the amount
    as money and as stored (not the raw JSON in cents)."""
    script = steps(
        SignInStaff("admin"),
        "l",
        lambda pilot: pilot.click("#audit-kind"),
        Type("money.deposit"),
        "enter",
        Do(lambda pilot: pilot.app.screen.query_one("#audit").focus()),  # first row
        "enter",
    )
    assert snap(snap_compare, demo_bank, script, size=(80, 24))
