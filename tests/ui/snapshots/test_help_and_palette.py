"""Snapshots of the help modal (default and remapped keys) and the command palette."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import SignIn, Snap, config_file, open_palette, snap, steps


def test_help_modal_lists_the_screen_keys(snap_compare: Snap, demo_bank: Bank) -> None:
    """F1 explains the screen and lists its keys, then the app's."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "f1"))


def test_help_shows_the_remapped_key(snap_compare: Snap, demo_bank: Bank) -> None:
    """Help lists the key from the config file (^t for Transfer) and the global keys."""
    config_file('[keys]\ntransfer = "ctrl+t"\n')
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "f1"))


def test_command_palette_lists_global_commands(snap_compare: Snap, demo_bank: Bank) -> None:
    """Typing the last digits of an account number finds what can be done with that account."""

    async def search_the_everyday_account(pilot: Pilot[Any]) -> None:
        everyday = demo_bank.accounts.list_accounts(pilot.app.actor)[0]  # type: ignore[attr-defined]
        await open_palette(pilot, everyday.number[-4:])

    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), search_the_everyday_account))


def test_help_modal_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """Help at 80x24: the keys of the dashboard, scrollable, closed with Escape."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "f1"), size=(80, 24))
