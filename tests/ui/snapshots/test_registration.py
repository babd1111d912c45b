"""Snapshots of a new customer registering: live password rules, errors in place."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, snap, type_text


def test_registration_gives_live_password_feedback(snap_compare: Snap, demo_bank: Bank) -> None:
    """The rules the password breaks are listed as it is typed (from the service's rules)."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "dora")
        await pilot.press("enter")
        await type_text(pilot, "Dora Explorer")
        for _ in range(4):
            await pilot.press("tab")
        await type_text(pilot, "password")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_registration_shows_errors_beside_the_field(snap_compare: Snap, demo_bank: Bank) -> None:
    """A taken username is reported under the username field; nothing is created."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "alice")
        await pilot.press("tab")
        await type_text(pilot, "Another Alice")
        await pilot.press("tab")
        await type_text(pilot, "alice2@example.com")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "a fine long passphrase")
        await pilot.press("tab")
        await type_text(pilot, "a fine long passphrase")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
