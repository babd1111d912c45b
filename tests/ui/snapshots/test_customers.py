"""Snapshots of the staff's customer screens: search, overview, registering a customer."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, open_alice, settle, sign_in_staff, snap, type_text


def test_customer_search_by_part_of_a_name(snap_compare: Snap, demo_bank: Bank) -> None:
    """Search results with masked account numbers."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "teller")
        await pilot.press("f")
        await type_text(pilot, "ar")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_customer_overview(snap_compare: Snap, demo_bank: Bank) -> None:
    """Profile, accounts, cards and recent activity of one customer."""
    assert snap(snap_compare, demo_bank, open_alice)


def test_new_customer_form(snap_compare: Snap, demo_bank: Bank, fixed_secrets: None) -> None:
    """A teller registers a customer; the temporary password must be changed at sign-in."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "teller")
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "dora")

    assert snap(snap_compare, demo_bank, run)
