"""Snapshots of the audit log, filtered."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in_staff, snap, type_text


def test_audit_log_filtered_by_kind(snap_compare: Snap, demo_bank: Bank) -> None:
    """Only drawer events, newest first."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("l")
        await settle(pilot)
        await pilot.click("#audit-kind")
        await type_text(pilot, "drawer.")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
