"""The teller's customer search finds as they type: the matches appear after a short pause,
the focus stays in the box until Enter, and a reply for an older text never mixes in."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from bankapp.bank import Bank
from screens.app import make_app
from screens.staff.customers import SEARCH_PAUSE, CustomerOverviewScreen, CustomerSearchScreen
from tests.ui.helpers import SIZE, Expect, Keys, SignInStaff, Type, pilot_test, play, settle


def names(app: object) -> list[str]:
    table = app.screen.query_one("#results", DataTable)  # type: ignore[attr-defined]
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


@pilot_test
async def test_matches_appear_as_the_teller_types_and_enter_goes_to_them(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), Keys("f", settle=False), Type("ar"))
        await pilot.pause(SEARCH_PAUSE * 3)
        await settle(pilot)
        assert isinstance(app.screen, CustomerSearchScreen)
        assert names(app) == ["Alice Martin", "Carol Nguyen"]
        assert isinstance(app.focused, Input)  # still typing
        await play(pilot, Type("ol"))
        await pilot.pause(SEARCH_PAUSE * 3)
        await settle(pilot)
        assert names(app) == ["Carol Nguyen"]
        await play(pilot, "enter", "enter")  # to the match, then open it
        assert isinstance(app.screen, CustomerOverviewScreen)


@pilot_test
async def test_one_character_does_not_search_and_a_stale_reply_is_dropped(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), Keys("f", settle=False), Type("a"))
        await pilot.pause(SEARCH_PAUSE * 3)
        await settle(pilot)
        assert names(app) == []  # the bank wants two characters; nothing asked, no error
        screen = app.screen
        assert isinstance(screen, CustomerSearchScreen)
        page = demo_bank.customers.search(app.actor, "al")  # what a slow reply would hold
        await play(pilot, Type("rol"), "enter", Expect(CustomerSearchScreen))
        screen._show("al", page, True)  # arrives after the newer search: ignored
        assert names(app) == ["Carol Nguyen"]
