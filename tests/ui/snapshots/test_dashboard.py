"""Snapshots of the customer's dashboard (120x34 and 80x24) and its open-account modal."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in, snap


def test_dashboard_lists_accounts_total_and_recent_activity(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Accounts with masked numbers, type, balance and status; the total; recent activity."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "carol")

    assert snap(snap_compare, demo_bank, run)


def test_dashboard_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The dashboard fits a classic 80x24 terminal: balances, total and the key hints."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")

    assert snap(snap_compare, demo_bank, run, size=(80, 24))


def test_open_account_modal(snap_compare: Snap, demo_bank: Bank) -> None:
    """O opens a small modal: kind and an optional name."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("o")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
