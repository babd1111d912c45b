"""A supervisor lifts a customer's sign-in lock from the customer overview; a teller is not
offered it (and the bank would refuse them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Static

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.errors import AccountLocked, InvalidCredentials
from screens.app import make_app
from tests.conftest import TEST_SETTINGS
from tests.ui.helpers import SIZE, SignInStaff, find_customer, pilot_test, play


def lock_out(bank: Bank, username: str) -> None:
    """Wrong passwords until the bank locks `username` out."""
    clock = bank.db.clock
    assert isinstance(clock, FixedClock)
    for _ in range(TEST_SETTINGS.lockout_after):
        clock.advance(timedelta(minutes=1))  # past each throttle wait
        with pytest.raises((InvalidCredentials, AccountLocked)):
            bank.auth.login(username, "wrong wrong wrong wrong")
    with pytest.raises(AccountLocked):
        bank.auth.login(username, DEMO_PASSWORD)


def profile(app: object) -> str:
    return str(app.screen.query_one("#customer-profile", Static).render())  # type: ignore[attr-defined]


@pilot_test
async def test_a_supervisor_unlocks_a_locked_customer_from_the_overview(demo_bank: Bank) -> None:
    lock_out(demo_bank, "alice")
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"), find_customer("alice"))
        assert "sign-in locked until" in profile(app)
        await play(pilot, "u")
        assert "sign-in locked until" not in profile(app)
    assert demo_bank.auth.login("alice", DEMO_PASSWORD).actor.username == "alice"


@pilot_test
async def test_a_teller_is_not_offered_the_unlock(demo_bank: Bank) -> None:
    lock_out(demo_bank, "alice")
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), find_customer("alice"))
        assert "sign-in locked until" in profile(app)
        await play(pilot, "u")
        assert "sign-in locked until" in profile(app)
    with pytest.raises(AccountLocked):
        demo_bank.auth.login("alice", DEMO_PASSWORD)
