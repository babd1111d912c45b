"""Escape on a home screen stays there (signing out is Ctrl+L), and a long export shows a
loading indicator while its worker runs, then the saved path."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.containers import Horizontal
from textual.widgets import Input, LoadingIndicator

from bankapp.bank import Bank
from screens.app import make_app
from screens.dashboard import DashboardScreen
from screens.statements import StatementScreen
from tests.ui.helpers import SIZE, Expect, SignIn, pilot_test, play, settle, sign_in, sign_in_staff


@pilot_test
async def test_escape_on_the_dashboard_keeps_the_dashboard_and_the_session(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        depth = len(app.screen_stack)
        await play(pilot, "escape", "escape")
        assert app.screen is dashboard
        assert len(app.screen_stack) == depth
        assert app.signed_in is not None
        assert app.actor.username == "alice"
        # Escape still goes back from a screen opened from the dashboard.
        await play(pilot, "s", Expect(StatementScreen), "escape")
        assert app.screen is dashboard


@pilot_test
async def test_escape_on_the_staff_home_keeps_it_and_the_session(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "teller")
        home = app.screen
        assert type(home).__name__ == "StaffHomeScreen"
        await play(pilot, "escape")
        assert app.screen is home
        assert app.signed_in is not None


@pilot_test
async def test_an_export_shows_a_loading_indicator_until_its_worker_is_done(
    demo_bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export is held in its worker thread until the test releases it: meanwhile the
    export row is covered by a LoadingIndicator and the screen still answers keys."""
    import screens.statements as statements

    release = threading.Event()
    entered = threading.Event()
    real_export = statements.export_statement

    def held_export(*args: Any, **kwargs: Any) -> Path:
        entered.set()
        assert release.wait(30), "the test never released the export"
        return real_export(*args, **kwargs)

    monkeypatch.setattr(statements, "export_statement", held_export)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "s")
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        row = screen.query_one("#statement-export", Horizontal)
        assert not row.loading
        assert row._cover_widget is None
        screen.query_one("#export-folder", Input).value = str(tmp_path / "out")
        await pilot.press("f6")
        await pilot.pause()
        try:
            assert row.loading, "the export row shows that something is happening"
            assert isinstance(row._cover_widget, LoadingIndicator)
            assert any(w.is_running for w in app.workers)
            await pilot.press("f6")  # a second export while one runs is refused
            await pilot.pause()
            assert any("already being written" in str(n.message) for n in app._notifications)
            await pilot.press("f5")  # the screen is not frozen: a reload still runs
            await pilot.pause()
        finally:
            release.set()
        await settle(pilot)
        assert entered.is_set()
        assert not row.loading
        assert row._cover_widget is None
        [saved] = (tmp_path / "out").iterdir()
        assert saved.suffix == ".csv"
        assert any(str(saved) in str(n.message) for n in app._notifications)
