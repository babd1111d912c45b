"""Signing out from a screen deep in the stack uncovers the screens below it for an instant;
a reload one of them starts then finds nobody signed in. That is the user leaving, not an
incident: nothing is logged as one, and nothing is shown."""

from __future__ import annotations

import logging

import pytest

from bankapp.bank import Bank
from screens.app import make_app
from screens.login import LoginScreen
from tests.ui.helpers import SIZE, Expect, SignIn, pilot_test, play, settle


@pilot_test
async def test_signing_out_from_an_account_logs_no_incident(
    demo_bank: Bank, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "enter")  # an account, over the dashboard
        with caplog.at_level(logging.ERROR, logger="bankapp"):
            app.sign_out()
            await play(pilot, settle, Expect(LoginScreen))
            await app.workers.wait_for_complete()
            await play(pilot, settle)
        incidents = [r.getMessage() for r in caplog.records if "incident" in r.getMessage()]
        assert incidents == []
        assert not any("went wrong" in str(n.message) for n in app._notifications)
