"""A refused form puts the cursor in the field at fault at once, on every form: what the
user types next puts it right (before, only the teller's forms did; elsewhere the focus
stayed where it was, so a corrected value landed in another field)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from screens.app import make_app
from tests.ui.helpers import TAB, Do, SignIn, Type, pilot_test, play
from tests.ui.snapshots.test_profile import WRONG_CURRENT_PASSWORD


def _focused(app: Any) -> str | None:
    return app.focused.id if app.focused is not None else None


@pilot_test
async def test_a_wrong_current_password_takes_the_cursor_back_to_it(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test() as pilot:
        await play(pilot, WRONG_CURRENT_PASSWORD)
        assert _focused(app) == "old-password"


@pilot_test
async def test_an_unknown_account_number_takes_the_cursor_to_the_number(demo_bank: Bank) -> None:
    def another_number(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one("#destination").value = "other"

    app = make_app(demo_bank)
    async with app.run_test() as pilot:
        await play(
            pilot,
            SignIn("alice"),
            "t",
            Do(another_number),
            Type("1234 5678 9012"),
            TAB,
            Type("5"),
            "ctrl+s",
        )
        assert _focused(app) == "destination-number"
