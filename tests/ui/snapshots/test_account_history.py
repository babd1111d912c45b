"""Snapshots of an account's detail: the first page of history and its filters."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in, snap, type_text


def test_account_detail_shows_one_page_of_history(snap_compare: Snap, demo_bank: Bank) -> None:
    """Enter on an account opens its balance, details and the newest page of history."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_history_memo_markup_is_shown_literally(snap_compare: Snap, demo_bank: Bank) -> None:
    """A memo typed as Rich markup appears as the characters typed, filtered by memo."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "12.34")
        await pilot.press("tab")
        await type_text(pilot, "[bold red]x[/] [link=https://e.vil]y[/link]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # confirm
        await settle(pilot)
        await pilot.press("escape")  # result -> dashboard
        await settle(pilot)
        await pilot.press("enter")  # open the account
        await settle(pilot)
        await pilot.press("ctrl+f")
        for _ in range(5):
            await pilot.press("tab")
        await type_text(pilot, "bold")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_history_filter_with_a_bad_date_says_how_to_write_it(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """A date the filter cannot read is reported beside the filters; the rows stay."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+f")
        await type_text(pilot, "yesterday")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
