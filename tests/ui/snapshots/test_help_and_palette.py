"""Snapshots of the help modal (default and remapped keys) and the command palette."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, config_file, open_palette, settle, sign_in, snap


def test_help_modal_lists_the_screen_keys(snap_compare: Snap, demo_bank: Bank) -> None:
    """F1 explains the screen and lists its keys, then the app's."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("f1")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_help_shows_the_remapped_key(snap_compare: Snap, demo_bank: Bank) -> None:
    """Help lists the key from the config file (^t for Transfer) and the global keys."""
    config_file('[keys]\ntransfer = "ctrl+t"\n')

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("f1")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_command_palette_lists_global_commands(snap_compare: Snap, demo_bank: Bank) -> None:
    """Typing the last digits of an account number finds what can be done with that account."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        everyday = demo_bank.accounts.list_accounts(pilot.app.actor)[0]  # type: ignore[attr-defined]
        await open_palette(pilot, everyday.number[-4:])

    assert snap(snap_compare, demo_bank, run)
