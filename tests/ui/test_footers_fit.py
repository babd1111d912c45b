"""At 80×24 every main screen's footer still shows the keys a user is never without: Help
and Quit (and Log out on the home screens). Rarer keys are listed on the screen. One app per
kind of user walks its screens (a sign-in each is most of a pilot test's time)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from bankapp.bank import Bank
from screens.app import make_app
from tests.ui.helpers import SignIn, SignInStaff, Step, find_customer, pilot_test, play

NARROW = (80, 24)
ALWAYS = ("Help", "Quit")


def shown_keys(app: Any) -> list[str]:
    """Descriptions of the footer keys drawn whole, left of the palette key docked right."""
    keys = list(app.screen.query(FooterKey))
    palette = [key for key in keys if key.has_class("-command-palette")]
    right = palette[0].region.x if palette else app.size.width
    return [
        key.description
        for key in keys
        if key not in palette and key.region.width and key.region.right <= right
    ]


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


Visit = tuple[str, tuple[Step, ...], tuple[str, ...]]


async def _walk(bank: Bank, sign_in: Step, screens: list[Visit]) -> None:
    """Sign in, then for each (screen, keys to reach it, footer keys wanted): press the keys
    and check the footer. The keys may start with Escape to go back first."""
    app = make_app(bank)
    missing: dict[str, list[str]] = {}
    async with app.run_test(size=NARROW) as pilot:
        await play(pilot, sign_in)
        for screen, keys, wanted in screens:
            if keys:
                await play(pilot, *keys)
            await _settle(pilot)
            shown = shown_keys(app)
            lacking = [key for key in wanted if key not in shown]
            if lacking:
                missing[f"{screen} ({type(app.screen).__name__}, shows {shown})"] = lacking
    assert missing == {}


@pilot_test
async def test_a_customers_screens_keep_help_and_quit_at_80_columns(demo_bank: Bank) -> None:
    await _walk(
        demo_bank,
        SignIn("alice"),
        [
            ("dashboard", (), (*ALWAYS, "Log out", "Transfer")),
            ("account", ("enter",), ALWAYS),
            ("holds", ("h",), ALWAYS),
            ("standing orders", ("escape", "o"), (*ALWAYS, "New")),
            ("cards", ("escape", "escape", "c"), (*ALWAYS, "New card")),
            ("statements", ("escape", "s"), (*ALWAYS, "Export PDF")),
            ("profile", ("escape", "p"), (*ALWAYS, "Save")),
        ],
    )


@pilot_test
async def test_a_tellers_screens_keep_help_and_quit_at_80_columns(demo_bank: Bank) -> None:
    await _walk(
        demo_bank,
        SignInStaff("teller"),
        [
            ("staff home", (), (*ALWAYS, "Log out")),
            ("cash drawer", ("d",), ALWAYS),
            ("customer overview", ("escape", find_customer("alice")), (*ALWAYS, "Cash in")),
        ],
    )


@pilot_test
async def test_a_supervisors_screens_keep_help_and_quit_at_80_columns(demo_bank: Bank) -> None:
    await _walk(
        demo_bank,
        SignInStaff("admin"),
        [
            ("approvals", ("a",), (*ALWAYS, "Approve")),
            ("end-of-day report", ("escape", "r"), (*ALWAYS, "Close day")),
            ("staff users", ("escape", "s"), (*ALWAYS, "New")),
            ("audit log", ("escape", "l"), (*ALWAYS, "Verify chain")),
        ],
    )
