"""The sign-in screen is shown before the bank is open: the service layer is imported and the
database opened in a worker behind it; a sign-in typed meanwhile waits for the bank, and a
bank that cannot be opened is said on the sign-in screen."""

from __future__ import annotations

import subprocess
import sys
import threading

from textual.widgets import Static

from bankapp.bank import Bank
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.errors import DatabaseMissing
from screens.app import make_app
from tests.ui.helpers import SIZE, pilot_test, settle

HEAVY = ("sqlalchemy", "alembic", "pydantic", "argon2", "cryptography", "bankapp.bank")


def test_the_sign_in_screen_imports_no_part_of_the_service_layer() -> None:
    """What `bankapp` imports before the sign-in screen paints: the UI and the domain types,
    none of the database, validation or hashing libraries (they load in the worker)."""
    code = (
        "import sys, screens.app, screens.login, bankapp.cli.main; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""


def text_of(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


@pilot_test
async def test_a_sign_in_typed_while_the_bank_opens_waits_for_it(demo_bank: Bank) -> None:
    release = threading.Event()

    def open_slowly() -> Bank:
        assert release.wait(timeout=60)
        return demo_bank

    app = make_app(open_slowly)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"
        assert text_of(app, "#login-title") == "Opening the bank…"
        await pilot.press(*"alice", "enter", *DEMO_PASSWORD, "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"  # still waiting for the bank
        release.set()
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        assert app.title == demo_bank.settings.bank_name


@pilot_test
async def test_a_bank_that_cannot_be_opened_is_said_on_the_sign_in_screen() -> None:
    reason = "No database at /nowhere/bank.db; run `bankapp init` to create it."

    def refuse() -> Bank:
        raise DatabaseMissing(reason)

    app = make_app(refuse)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#login-title") == "The bank could not be opened"
        assert text_of(app, "#login-error") == reason
        await pilot.press(*"alice", "enter", *DEMO_PASSWORD, "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "LoginScreen"
        assert text_of(app, "#login-error") == reason
        await pilot.press("f2")  # registration says the same and does not crash
        await settle(pilot)
        assert type(app.screen).__name__ == "RegisterScreen"


@pilot_test
async def test_an_unexpected_failure_to_open_is_an_incident_not_a_traceback() -> None:
    def crash() -> Bank:
        raise OSError("disk on fire")

    app = make_app(crash)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        error = text_of(app, "#login-error")
        assert error.startswith("The bank could not be opened (incident ")
        assert "disk on fire" not in error
