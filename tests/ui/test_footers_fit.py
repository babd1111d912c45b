"""At 80×24 every main screen's footer still shows the keys a user is never without: Help
and Quit (and Log out on the customer's home). Rarer keys are listed on the screen."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from bankapp.bank import Bank
from screens.app import make_app
from tests.ui.helpers import (
    SignIn,
    SignInStaff,
    Step,
    open_alice,
    open_cards,
    pilot_test,
    play,
)

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


@pytest.mark.parametrize(
    ("screen", "script", "wanted"),
    [
        ("dashboard", SignIn("alice"), (*ALWAYS, "Log out", "Transfer")),
        ("account", (SignIn("alice"), "enter"), ALWAYS),
        ("cards", open_cards, (*ALWAYS, "New card")),
        ("holds", (SignIn("alice"), "enter", "h"), ALWAYS),
        ("standing orders", (SignIn("alice"), "enter", "o"), (*ALWAYS, "New")),
        ("statements", (SignIn("alice"), "s"), (*ALWAYS, "Export PDF")),
        ("profile", (SignIn("alice"), "p"), (*ALWAYS, "Save")),
        ("customer overview", open_alice, (*ALWAYS, "Cash in")),
        ("staff home", SignInStaff("teller"), (*ALWAYS, "Log out")),
        ("cash drawer", (SignInStaff("teller"), "d"), ALWAYS),
        ("approvals", (SignInStaff("admin"), "a"), (*ALWAYS, "Approve")),
        ("end-of-day report", (SignInStaff("admin"), "r"), (*ALWAYS, "Close day")),
        ("staff users", (SignInStaff("admin"), "s"), (*ALWAYS, "New")),
        ("audit log", (SignInStaff("admin"), "l"), (*ALWAYS, "Verify chain")),
    ],
)
@pilot_test
async def test_the_footer_keeps_help_and_quit_at_80_columns(
    demo_bank: Bank, screen: str, script: Step | tuple[Step, ...], wanted: tuple[str, ...]
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=NARROW) as pilot:
        await play(pilot, *(script if isinstance(script, tuple) else (script,)))
        await _settle(pilot)
        shown = shown_keys(app)
        missing = [key for key in wanted if key not in shown]
        assert not missing, f"{screen}: footer shows {shown}, not {missing}"


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
