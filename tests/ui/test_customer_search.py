"""The teller's customer search finds as they type: the matches appear after a short pause,
the focus stays in the box until Enter, and a reply for an older text never mixes in."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from bankapp.bank import Bank
from screens.app import make_app
from screens.staff.customers import SEARCH_PAUSE, CustomerOverviewScreen, CustomerSearchScreen
from tests.ui.helpers import SIZE, Expect, Keys, SignInStaff, Type, pilot_test, play, settle


async def type_and_pause(pilot: Pilot[Any], text: str) -> None:
    """Type into the search box, then stop typing long enough for it to search."""
    await play(pilot, Type(text))
    await pilot.pause(SEARCH_PAUSE * 3)
    await settle(pilot)


def names(app: object) -> list[str]:
    table = app.screen.query_one("#results", DataTable)  # type: ignore[attr-defined]
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


@pilot_test
async def test_matches_appear_as_the_teller_types_and_enter_goes_to_them(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), Keys("f", settle=False))
        await type_and_pause(pilot, "ar")
        assert isinstance(app.screen, CustomerSearchScreen)
        assert names(app) == ["Alice Martin", "Carol Nguyen"]
        assert isinstance(app.focused, Input)  # still typing
        await type_and_pause(pilot, "ol")
        assert names(app) == ["Carol Nguyen"]
        await play(pilot, "enter", "enter")  # to the match, then open it
        assert isinstance(app.screen, CustomerOverviewScreen)


@pilot_test
async def test_one_character_does_not_search_and_a_stale_reply_is_dropped(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), Keys("f", settle=False))
        await type_and_pause(pilot, "a")
        assert names(app) == []  # the bank wants two characters; nothing asked, no error
        screen = app.screen
        assert isinstance(screen, CustomerSearchScreen)
        page = demo_bank.customers.search(app.actor, "al")  # what a slow reply would hold
        await play(pilot, Type("rol"), "enter", Expect(CustomerSearchScreen))
        screen._show("al", page, True)  # arrives after the newer search: ignored
        assert names(app) == ["Carol Nguyen"]
