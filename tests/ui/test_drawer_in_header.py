"""A teller's open drawer is always in the header: its number and the cash it should hold,
updated after every cash movement and when it closes."""

from __future__ import annotations

from bankapp.bank import Bank
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from tests.fixtures import acting_as
from tests.ui.helpers import SIZE, Expect, Keys, SignInStaff, Type, open_alice, pilot_test, play


@pilot_test
async def test_the_header_follows_the_tellers_drawer(demo_bank: Bank) -> None:
    teller = acting_as(demo_bank, "teller")
    drawer = demo_bank.drawers.current(teller)
    assert drawer is not None
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice)
        assert app.sub_title.endswith(f"drawer {drawer.id} {app.money(drawer.cash_on_hand)}")
        await play(pilot, Keys("c", settle=False), Type("25"), "ctrl+s", Expect(ConfirmModal))
        await play(pilot, "enter")  # taken in: back on the overview
        after = app.money(drawer.cash_on_hand + 2_500)
        assert app.sub_title.endswith(f"drawer {drawer.id} {after}"), app.sub_title
        await play(pilot, "escape", "escape", "ctrl+l")  # home, then log out
        assert "drawer" not in app.sub_title  # signed out: nobody's drawer


@pilot_test
async def test_a_supervisor_without_a_drawer_has_none_in_the_header(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"))
        assert app.sub_title == "Ada Admin (admin) · admin"
