"""A supervisor's changes to another staff user's access ask first, naming the user and the
effect: one keypress on the staff list used to disable a teller or file a reset."""

from __future__ import annotations

from bankapp.bank import Bank
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.staff.staff_users import StaffUsersScreen
from tests.fixtures import acting_as
from tests.ui.helpers import SIZE, Expect, SignInStaff, pilot_test, play


def _status(bank: Bank, username: str) -> str:
    admin = acting_as(bank, "admin")
    return next(u.status for u in bank.staff.page(admin).users if u.username == username)


def _requests(bank: Bank) -> int:
    return len(bank.approvals.page(acting_as(bank, "admin")).items)


@pilot_test
async def test_disabling_a_teller_asks_first(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"), "s", Expect(StaffUsersScreen))
        assert app.screen.users[0].username == "teller"  # type: ignore[attr-defined]
        await play(pilot, "d", Expect(ConfirmModal))
        shown = dict(app.screen.lines)  # type: ignore[attr-defined]
        assert shown["Staff user"] == "Tom Teller (teller), teller"
        assert _status(demo_bank, "teller") == "active"
        await play(pilot, "escape", Expect(StaffUsersScreen))
        assert _status(demo_bank, "teller") == "active"  # changed her mind: nothing happened
        await play(pilot, "d", Expect(ConfirmModal), "enter", Expect(StaffUsersScreen))
    assert _status(demo_bank, "teller") == "disabled"


@pilot_test
async def test_a_password_reset_for_staff_is_asked_for_only_after_a_confirmation(
    demo_bank: Bank,
) -> None:
    before = _requests(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"), "s", "p", Expect(ConfirmModal))
        assert _requests(demo_bank) == before
        await play(pilot, "enter", Expect(StaffUsersScreen))
    assert _requests(demo_bank) == before + 1
