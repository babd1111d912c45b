"""A customer who forgot their password: a supervisor asks for a reset from the customer
overview (R), after a confirmation naming them; a second supervisor approves it. There was
no way to ask from the screens. A teller is not offered the key (the bank refuses them)."""

from __future__ import annotations

from bankapp.bank import Bank
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.staff.customers import CustomerOverviewScreen
from tests.fixtures import acting_as
from tests.ui.helpers import (
    SIZE,
    Expect,
    SignInStaff,
    find_customer,
    open_alice,
    pilot_test,
    play,
)


def _resets(bank: Bank) -> list[str]:
    items = bank.approvals.page(acting_as(bank, "admin")).items
    return [str(i.target_user) for i in items if i.kind == "password_reset"]


@pilot_test
async def test_a_supervisor_asks_for_a_customers_password_reset(demo_bank: Bank) -> None:
    assert "alice" not in _resets(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(
            pilot, SignInStaff("sam"), find_customer("alice"), Expect(CustomerOverviewScreen)
        )
        await play(pilot, "r", Expect(ConfirmModal))
        shown = dict(app.screen.lines)  # type: ignore[attr-defined]
        assert shown["Customer"] == "Alice Martin (alice)"
        await play(pilot, "escape", Expect(CustomerOverviewScreen))
        assert "alice" not in _resets(demo_bank)  # nothing asked without the confirmation
        await play(pilot, "r", Expect(ConfirmModal), "enter", Expect(CustomerOverviewScreen))
        said = [str(n.message) for n in app._notifications]
    assert _resets(demo_bank).count("alice") == 1, said


@pilot_test
async def test_a_teller_is_not_offered_the_reset(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, Expect(CustomerOverviewScreen), "r")
        assert isinstance(app.screen, CustomerOverviewScreen)
    assert "alice" not in _resets(demo_bank)
