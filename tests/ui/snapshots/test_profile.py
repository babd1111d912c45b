"""Snapshots of the profile and of changing the password."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in, snap, type_text


def test_profile_screen(snap_compare: Snap, demo_bank: Bank) -> None:
    """The profile as held by the bank, editable."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("p")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_change_password_with_a_wrong_current_password(snap_compare: Snap, demo_bank: Bank) -> None:
    """The current password is required; a wrong one is reported beside it."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await type_text(pilot, "not my password")
        await pilot.press("tab")
        await type_text(pilot, "a brand new passphrase")
        await pilot.press("tab")
        await type_text(pilot, "a brand new passphrase")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
