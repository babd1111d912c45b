"""A customer sets up a standing order from an account — checked by the bank, confirmed with
the payee's name — and pauses, resumes and cancels it; bad input is refused in place."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from bankapp.bank import Bank
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.standing_orders import StandingOrderFormScreen, StandingOrdersScreen
from tests.ui.helpers import SIZE, alice, pilot_test, settle, sign_in, type_text


def _orders(bank: Bank) -> list[tuple[str, str]]:
    actor = alice(bank)
    everyday = bank.accounts.list_accounts(actor)[0]
    return [(o.name, o.status) for o in bank.standing_orders.list_orders(actor, everyday.id)]


async def _open_form(pilot: object) -> None:
    await sign_in(pilot, "alice")  # type: ignore[arg-type]
    for key in ("enter", "o", "n"):
        await pilot.press(key)  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]


async def _fill(pilot: object, *, day: str = "1") -> None:
    app = pilot.app  # type: ignore[attr-defined]
    form = app.screen
    assert isinstance(form, StandingOrderFormScreen)
    form.query_one("#name", Input).focus()
    await type_text(pilot, "Gym")  # type: ignore[arg-type]
    form.query_one("#amount", Input).focus()
    await type_text(pilot, "25.00")  # type: ignore[arg-type]
    form.query_one("#day", Input).focus()
    await type_text(pilot, day)  # type: ignore[arg-type]
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


@pilot_test
async def test_set_up_confirm_pause_resume_and_cancel(demo_bank: Bank) -> None:
    before = _orders(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await _open_form(pilot)
        await _fill(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        shown = dict(confirm.lines)
        assert shown["Amount"] == "$25.00" and shown["Runs"] == "monthly, 1st"
        assert shown["To"].startswith("Rainy day (own account) ••••")
        assert shown["First payment"] == "2026-12-01"
        assert _orders(demo_bank) == before  # nothing is set up until it is confirmed
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, StandingOrdersScreen)
        assert _orders(demo_bank)[0] == ("Gym", "active")
        table = app.screen.query_one("#orders", DataTable)
        assert str(table.get_row_at(0)[0]) == "Gym"
        await pilot.press("p")
        await settle(pilot)
        assert _orders(demo_bank)[0] == ("Gym", "paused")
        await pilot.press("r")
        await settle(pilot)
        assert _orders(demo_bank)[0] == ("Gym", "active")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # changed her mind: still active
        await settle(pilot)
        assert _orders(demo_bank)[0] == ("Gym", "active")
        await pilot.press("x", "f10")
        await settle(pilot)
        assert _orders(demo_bank)[0] == ("Gym", "cancelled")
    assert demo_bank.verify().ok


@pilot_test
async def test_a_bad_day_is_refused_beside_its_field_before_any_confirmation(
    demo_bank: Bank,
) -> None:
    before = _orders(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await _open_form(pilot)
        await _fill(pilot, day="40")
        form = app.screen
        assert isinstance(form, StandingOrderFormScreen)  # no confirmation was shown
        error = str(form.query_one("#day-error", Static).render())
        assert "day" in error.lower() and error.strip()
        form.query_one("#start-date", Input).value = "2020-01-01"
        form.query_one("#day", Input).value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StandingOrderFormScreen)
        assert "past" in str(form.query_one("#start-date-error", Static).render())
    assert _orders(demo_bank) == before
