"""Pilot journeys through the real composition root, asserting the database as well as the
screens: register to log out, double submit, idle lock, routing, unexpected errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.domain.types import Actor
from bankapp.storage.models import SignInThrottle
from screens.account import AccountScreen
from screens.app import BankApp, make_app
from screens.change_password import ChangePasswordScreen
from screens.commands import BankCommands
from screens.dashboard import DashboardScreen
from screens.login import LoginScreen
from screens.messages import ProfileSaved, SignedIn, SignOutRequested
from screens.modals.confirm import ConfirmModal
from screens.modals.idle_lock import IdleLockModal
from screens.payment import PaymentScreen
from screens.result import ResultScreen
from tests.conftest import PASSWORD
from tests.fixtures import entry_count
from tests.fixtures import settle as clear_checks
from tests.ui.helpers import (
    SIZE,
    TAB,
    Expect,
    Keys,
    SignIn,
    Step,
    Type,
    enter_each,
    pilot_test,
    play,
    settle,
    sign_in,
    sign_in_staff,
    steps,
)

NEW_PASSWORD = "correct horse battery staple"


def failed_logins(bank: Bank, username: str) -> int:
    """The failed attempts counted against `username` (the sign-in throttle)."""
    throttle = SignInThrottle
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(
                select(throttle.c.failures).where(throttle.c.name == username)
            ).scalar_one_or_none()
        )
        or 0
    )


def notifications(app: BankApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@dataclass
class IdleClock:
    """The clock the app's idle lock reads; only the test moves it."""

    now: float

    def __call__(self) -> float:
        return self.now


async def sit_idle(pilot: Pilot[Any], clock: IdleClock, seconds: float) -> None:
    """Let `seconds` pass without a key, then let the app check its idle lock."""
    clock.now += seconds
    pilot.app.check_idle_lock()  # type: ignore[attr-defined]
    await settle(pilot)


def open_account(name: str, *, savings: bool = False) -> Step:
    """O, the kind (Checking unless `savings`), the name, Enter."""
    kind = [Keys("enter", "down", "enter", settle=False)] if savings else []  # pick Savings
    return steps("o", *kind, TAB, Type(name), "enter")


@pilot_test
async def test_register_sign_in_open_deposit_transfer_history_and_log_out(
    empty_bank: Bank,
) -> None:
    app = make_app(empty_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, settle, "f2")
        form = ("dora", "Dora Explorer", "dora@example.com", "+1 555 0199", "1 Map Street")
        await play(pilot, enter_each(*form, NEW_PASSWORD, NEW_PASSWORD), settle)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#username", Input).value == "dora"

        await play(pilot, Type(NEW_PASSWORD), "enter")  # the password field has focus
        assert isinstance(app.screen, DashboardScreen)
        assert "Dora Explorer (dora) · customer" in app.sub_title

        await play(pilot, open_account("Bills"), open_account("Pot", savings=True))
        accounts = empty_bank.accounts.list_accounts(app.actor)
        assert [(a.name, a.kind.value) for a in accounts] == [
            ("Bills", "checking"),
            ("Pot", "savings"),
        ]
        bills, pot = accounts

        await play(pilot, "d", Type("500"), "ctrl+s", Expect(ConfirmModal))
        await play(pilot, "enter", Expect(ResultScreen), "escape")
        assert empty_bank.accounts.get(app.actor, bills.id).available == 0  # a check, held
        clock = empty_bank.db.clock
        assert isinstance(clock, FixedClock)
        clock.advance(empty_bank.settings.clearing_delay)
        clear_checks(empty_bank)  # the night's clearing: the check cleared

        await play(pilot, "t", Type("120.25"), Keys("enter", settle=False), Type("For the pot"))
        await play(pilot, "enter")  # Enter on the memo submits
        await play(pilot, "enter", Expect(ResultScreen), "escape")  # confirm

        assert empty_bank.accounts.get(app.actor, bills.id).balance == 37975
        assert empty_bank.accounts.get(app.actor, pot.id).balance == 12025

        for account, amount in ((bills, "-$120.25"), (pot, "+$120.25")):
            app.push_screen(AccountScreen(account.id))
            await settle(pilot)
            table = app.screen.query_one("#history", DataTable)
            first = [str(cell) for cell in table.get_row_at(0)]
            assert first[4] == "For the pot" and first[2] == amount
            await play(pilot, "escape")

        await play(pilot, "ctrl+l")
        assert isinstance(app.screen, LoginScreen)
        assert app.signed_in is None
        assert app.screen.query_one("#password", Input).value == ""
    assert empty_bank.verify().ok


@pilot_test
async def test_a_double_enter_on_the_confirmation_posts_once(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "d", Type("10"), "ctrl+s")
        before = entry_count(demo_bank)
        await play(pilot, Keys("enter", "enter"))
        assert not isinstance(app.screen, ConfirmModal | PaymentScreen)
        assert entry_count(demo_bank) == before + 1


@pilot_test
async def test_posting_the_same_form_twice_moves_the_money_once(demo_bank: Bank) -> None:
    """Two posts of one form race in two worker threads; its idempotency key makes one entry."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "w", Type("40"))
        form = app.screen
        assert isinstance(form, PaymentScreen)
        account_id = form.account_select.value
        balance = demo_bank.accounts.get(app.actor, account_id).balance
        before = entry_count(demo_bank)
        request = form._read_form()
        form.post(request)
        form.posting = False  # as if the second Enter arrived before the first finished
        form.post(request)
        await settle(pilot)
        assert entry_count(demo_bank) == before + 1
        assert demo_bank.accounts.get(app.actor, account_id).balance == balance - 4000
    assert demo_bank.verify().ok


@pilot_test
async def test_the_idle_lock_covers_the_screen_and_counts_wrong_passwords(
    demo_bank: Bank,
) -> None:
    clock = IdleClock(1000.0)
    app = make_app(demo_bank, idle_seconds=300, idle_clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        await sit_idle(pilot, clock, 299)
        assert isinstance(app.screen, DashboardScreen)

        await sit_idle(pilot, clock, 2)
        assert isinstance(app.screen, IdleLockModal)
        # Covered: the dashboard's keys do not reach it.
        await play(pilot, Keys("d", settle=False), Type("wrong"), "enter")
        assert isinstance(app.screen, IdleLockModal)
        message = str(app.screen.query_one("#lock-error", Static).render())
        assert "Wrong password" in message
        assert failed_logins(demo_bank, "alice") == 1

        await play(pilot, Type(DEMO_PASSWORD), "enter")
        assert isinstance(app.screen, DashboardScreen)
        assert failed_logins(demo_bank, "alice") == 0
        assert not app.locked


@pilot_test
async def test_the_idle_lock_signs_out_once_the_user_is_locked(demo_bank: Bank) -> None:
    clock = IdleClock(0.0)
    app = make_app(demo_bank, idle_seconds=60, idle_clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "bob")
        await sit_idle(pilot, clock, 61)
        for _ in range(demo_bank.settings.lockout_after):
            demo_bank.db.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
            await play(pilot, Type("not it"), "enter")
        message = str(app.screen.query_one("#lock-error", Static).render())
        assert "locked" in message and "Ctrl+L" in message
        await play(pilot, "ctrl+l")
        assert isinstance(app.screen, LoginScreen)
        assert app.signed_in is None


@pilot_test
async def test_staff_go_to_the_staff_home(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "teller")
        assert type(app.screen).__name__ == "StaffHomeScreen"
        assert app.actor.is_staff


@pilot_test
async def test_screens_ask_the_app_to_sign_in_and_out_by_message(demo_bank: Bank) -> None:
    seen: list[Message] = []
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, "alice")
        assert isinstance(app.screen, DashboardScreen)
        await play(pilot, "ctrl+l")
        assert isinstance(app.screen, LoginScreen)
        assert app.signed_in is None
    told = list({id(m): m for m in seen if isinstance(m, SignedIn | SignOutRequested)}.values())
    assert [type(m) for m in told] == [SignedIn, SignOutRequested]
    assert isinstance(told[0], SignedIn) and told[0].result.user.username == "alice"


@pilot_test
async def test_an_unexpected_error_shows_only_an_incident_id(
    demo_bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(actor: Actor, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(demo_bank.accounts, "list_accounts", broken)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        shown = notifications(app)
        assert any("incident" in text for text in shown)
        assert not any("secret" in text or "Traceback" in text for text in shown)
        assert isinstance(app.screen, DashboardScreen)


@pilot_test
async def test_question_mark_opens_help_only_when_no_input_has_focus(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("?")
        assert app.screen.query_one("#username", Input).value == "?"
        await play(pilot, Keys("backspace", settle=False), SignIn("alice"), "question_mark")
        assert type(app.screen).__name__ == "HelpModal"
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


@pilot_test
async def test_the_command_palette_lists_the_screen_actions(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Deposit check", "ATM cash", "Transfer", "Open account", "Log out"} <= set(titles)


@pilot_test
async def test_a_customer_password_change_works_from_the_profile(empty_bank: Bank) -> None:
    from tests.conftest import make_customer

    make_customer(empty_bank, "erin")
    app = make_app(empty_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(
            pilot,
            SignIn("erin", PASSWORD),
            "p",
            "f3",
            enter_each(PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
            settle,
        )
        assert type(app.screen).__name__ == "ProfileScreen"
    assert empty_bank.auth.login("erin", NEW_PASSWORD).actor.username == "erin"


@pilot_test
async def test_a_saved_profile_renames_the_user_in_the_header(demo_bank: Bank) -> None:
    seen: list[Message] = []
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await play(pilot, SignIn("alice"), "p")
        app.screen.query_one("#full-name", Input).value = "Alice Renamed"
        await play(pilot, "ctrl+s")
        assert "Alice Renamed (alice) · customer" in app.sub_title
    assert any(isinstance(m, ProfileSaved) for m in seen)
    assert demo_bank.auth.login("alice", DEMO_PASSWORD).user.full_name == "Alice Renamed"


@pilot_test
async def test_a_temporary_password_must_be_changed_before_going_on(empty_bank: Bank) -> None:
    """Signed in with a temporary password, every key and palette command of the signed-in
    app does nothing: only the password change (or abandoning the sign-in) goes on."""
    from bankapp.domain.types import Role

    empty_bank.operator.create_user(
        username="fay",
        password=PASSWORD,
        role=Role.CUSTOMER,
        full_name="Fay Tester",
        email="fay@example.com",
        must_change_password=True,
    )
    app = make_app(empty_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "fay", PASSWORD)
        assert type(app.screen).__name__ == "ChangePasswordScreen"
        for key in ("o", "d", "w", "t", "c", "s", "p", "f5", "f8", "y", "j", "ctrl+l"):
            await play(pilot, key)
            assert type(app.screen).__name__ == "ChangePasswordScreen", key
        assert app.signed_in is None
        provider = BankCommands(app.screen, None)
        await provider.startup()
        assert [c.name for c in provider.commands()] == ["Switch theme"]
        await play(pilot, "ctrl+p", Type("transfer"), "enter", "escape")
        assert type(app.screen).__name__ in ("ChangePasswordScreen", "CommandPalette")
        assert entry_count(empty_bank) == 0
        await play(pilot, "escape")  # abandoning the sign-in goes back, signed out
        assert isinstance(app.screen, LoginScreen) and app.signed_in is None
        # The sign-in screen kept "fay" and put the focus on the password: type only that.
        assert app.screen.query_one("#username", Input).value == "fay"
        await play(pilot, Type(PASSWORD), "enter", Expect(ChangePasswordScreen))
        await play(pilot, enter_each(PASSWORD, NEW_PASSWORD, NEW_PASSWORD), settle)
        assert isinstance(app.screen, DashboardScreen)
    assert empty_bank.auth.login("fay", NEW_PASSWORD).signed_in
