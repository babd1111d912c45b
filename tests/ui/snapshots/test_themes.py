"""Snapshots of the theme picker and the 16-colour ANSI theme."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in, snap


def test_switching_to_the_ansi_theme(snap_compare: Snap, demo_bank: Bank) -> None:
    """F9 opens the theme picker; the 16-colour ANSI theme keeps every label readable."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press(*"ansi-dark", "enter")
        await settle(pilot)
        assert pilot.app.theme == "ansi-dark"

    assert snap(snap_compare, demo_bank, run)
