"""The statement screen: period presets, summary, chart, paged lines, export in a worker (the
pictures are in `snapshots/test_statements.py`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from textual.widgets import Input, Select, Sparkline, Static

from bankapp.bank import Bank
from bankapp.services.statements import Preset
from bankapp.storage.models import Statement
from screens.app import make_app
from screens.statements import StatementScreen
from screens.widgets.ledger_table import LedgerTable
from tests.ui.helpers import SIZE, SignIn, pilot_test, play, settle, sign_in


def _statement_count(bank: Bank) -> int:
    table = Statement
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(select(func.count()).select_from(table)).scalar_one()
        )
    )


@pilot_test
async def test_the_screen_agrees_with_the_service_and_pages_to_the_end(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        account_id = demo_bank.accounts.list_accounts(app.actor)[0].id
        app.push_screen(StatementScreen(account_id, Preset.LAST_90_DAYS))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        summary = demo_bank.statements.summary(app.actor, account_id, screen.period)
        assert summary.line_count > 50  # more than one page
        text = str(screen.query_one("#statement-summary", Static).render())
        assert app.money(summary.closing_balance) in text
        table = screen.query_one(LedgerTable)
        assert table.row_count == 50
        for _ in range(summary.line_count // 10 + 5):
            await play(pilot, "ctrl+end")
        assert table.row_count == summary.line_count
        assert screen.next_cursor is None
        chart = screen.query_one(Sparkline)
        points = list(chart.data or [])
        assert (points[0], points[-1]) == (summary.opening_balance, summary.closing_balance)


@pilot_test
async def test_a_custom_period_and_an_export_in_a_worker_show_the_saved_path(
    demo_bank: Bank, tmp_path: Path
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        account_id = demo_bank.accounts.list_accounts(app.actor)[0].id
        app.push_screen(StatementScreen(account_id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        screen.query_one("#first-day", Input).value = "2026-31-10"
        screen.query_one("#first-day", Input).focus()
        await play(pilot, "enter")
        assert "not a date" in str(screen.query_one("#first-day-error", Static).render())
        screen.query_one("#first-day", Input).value = "2026-10-01"
        screen.query_one("#last-day", Input).value = "2026-10-31"
        await play(pilot, "enter")
        assert screen.query_one("#preset", Select).value == Preset.CUSTOM.value
        assert screen.period.label == "1 Oct 2026 to 31 Oct 2026"
        screen.query_one("#export-folder", Input).value = str(tmp_path / "out")
        await play(pilot, "f7")
        [saved] = (tmp_path / "out").iterdir()
        assert saved.suffix == ".pdf"
        assert str(saved) in str(screen.query_one("#export-result", Static).render())
        assert _statement_count(demo_bank) == 1


@pilot_test
async def test_s_on_the_dashboard_opens_this_month_and_a_preset_reloads(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "s")
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        assert screen.period.preset == Preset.THIS_MONTH
        assert screen.period.label == "1 Nov 2026 to 20 Nov 2026"
        screen.query_one("#preset", Select).value = Preset.LAST_MONTH.value
        await settle(pilot)
        assert screen.query_one("#first-day", Input).value == "2026-10-01"
        assert screen.summary is not None
        assert screen.summary.period.label == "1 Oct 2026 to 31 Oct 2026"
