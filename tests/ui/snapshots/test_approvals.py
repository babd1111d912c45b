"""Snapshots of the maker-checker queue: pending requests and a rejection's reason."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in_staff, snap, type_text


def test_approvals_queue_for_an_admin(snap_compare: Snap, demo_bank: Bank) -> None:
    """The pending request the teller made, with maker and memo."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("a")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_rejecting_asks_for_a_reason(snap_compare: Snap, demo_bank: Bank) -> None:
    """R on a request opens the reason prompt."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "No proof of sale")

    assert snap(snap_compare, demo_bank, run)
