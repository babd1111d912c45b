"""Snapshots of the staff users list and the new staff user form."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in_staff, snap


def test_staff_users(snap_compare: Snap, demo_bank: Bank) -> None:
    """Tellers and admins with role, status and second-factor state."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_new_staff_user_form(snap_compare: Snap, demo_bank: Bank, fixed_secrets: None) -> None:
    """The new staff form with a generated temporary password."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
