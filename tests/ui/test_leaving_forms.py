"""Leaving a form with something typed in it, by Escape, its Cancel button or Ctrl+Q, asks
first; the question keeps the form unless the user chooses to leave. An untouched form, or
one whose work is done, is left at once."""

from __future__ import annotations

from textual.widgets import Input

from bankapp.bank import Bank
from screens.app import QuitQuestion, make_app
from screens.dashboard import DashboardScreen
from screens.modals.confirm import ConfirmModal
from screens.payment import PaymentScreen
from screens.profile import ProfileScreen
from screens.staff.cash import CashScreen
from screens.staff.customers import CustomerOverviewScreen
from tests.ui.helpers import SIZE, Expect, Keys, SignIn, Type, open_alice, pilot_test, play


def amount(app: object) -> str:
    return app.screen.query_one("#amount", Input).value  # type: ignore[attr-defined]


@pilot_test
async def test_escape_on_a_form_with_an_amount_typed_asks_and_keeps_it(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "w", Type("12.50"), "escape", Expect(ConfirmModal))
        question = app.screen
        assert isinstance(question, ConfirmModal)
        assert question.confirm_title == "Leave without saving?"
        assert question.focused is not None and question.focused.id == "cancel"

        await play(pilot, "enter")  # the default answer keeps the form
        assert isinstance(app.screen, PaymentScreen)
        assert amount(app) == "12.50"

        await play(pilot, "escape", Expect(ConfirmModal), "f10")  # leave on purpose
        assert isinstance(app.screen, DashboardScreen)


@pilot_test
async def test_an_untouched_form_is_left_at_once(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "w", Expect(PaymentScreen), "escape")
        assert isinstance(app.screen, DashboardScreen)


@pilot_test
async def test_ctrl_q_with_a_form_half_filled_asks_before_quitting(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "w", Type("40"), "ctrl+q", Expect(QuitQuestion))
        assert app.is_running
        await play(pilot, "escape")  # no: back to the form, the amount still there
        assert isinstance(app.screen, PaymentScreen)
        assert amount(app) == "40"
        await play(pilot, "ctrl+q", Expect(QuitQuestion))
        await pilot.press("ctrl+q")  # Ctrl+Q on the question quits
        await pilot.pause()
    assert app.return_code == 0


@pilot_test
async def test_ctrl_q_without_anything_typed_quits_at_once(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "w", Expect(PaymentScreen))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)
    assert app.return_code == 0


@pilot_test
async def test_a_profile_loaded_from_the_bank_is_not_typed_until_changed(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "p", Expect(ProfileScreen))
        assert app.screen.query_one("#full-name", Input).value  # filled in from the bank
        await play(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)

        await play(pilot, "p", Expect(ProfileScreen), Keys("end", "X", settle=False))
        await play(pilot, "escape", Expect(ConfirmModal))


@pilot_test
async def test_a_teller_form_asks_until_it_has_posted(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, Keys("w", settle=False), Type("40"), "escape")
        assert isinstance(app.screen, ConfirmModal), "a typed cash-out left without asking"
        await play(pilot, "escape", Expect(CashScreen), "ctrl+s", Expect(ConfirmModal), "enter")
        assert isinstance(app.screen, CustomerOverviewScreen)  # paid out: nothing to lose
