"""Snapshots of the idle lock that covers the screen until the password is typed again."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in, snap, type_text


def test_idle_lock_modal_after_a_wrong_password(snap_compare: Snap, demo_bank: Bank) -> None:
    """The lock covers the screen; a wrong password is said plainly."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        pilot.app.lock_screen()  # type: ignore[attr-defined]
        await settle(pilot)
        await type_text(pilot, "wrong")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
