"""What people type and paste into forms: amounts read exactly as written, pasted text
cleaned of terminal control sequences before any field sees it."""

from __future__ import annotations

from textual.widgets import Input, Static

from bankapp.bank import Bank
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.payment import PaymentScreen
from tests.ui.helpers import SIZE, Expect, SignIn, Type, pilot_test, play


def error_text(screen: object, field: str) -> str:
    return str(screen.query_one(f"#{field}-error", Static).render())  # type: ignore[attr-defined]


@pilot_test
async def test_an_amount_with_a_space_inside_is_refused_beside_the_field(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "w", Type("12 5"), "ctrl+s")
        assert isinstance(app.screen, PaymentScreen), "no confirmation of $125.00"
        assert "no spaces inside an amount" in error_text(app.screen, "amount")
        assert app.focused is app.screen.query_one("#amount", Input)

        amount = app.screen.query_one("#amount", Input)
        amount.value = " 12.50 "
        await play(pilot, "ctrl+s", Expect(ConfirmModal))
        assert "$12.50" in app.screen.confirm_label
