"""A supervisor closes the business day from the end-of-day report; a teller cannot."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import DataTable, Static

from bankapp.bank import Bank
from bankapp.storage.models import BusinessDay
from screens.app import make_app
from screens.staff.report import EndOfDayScreen
from tests.ui.helpers import SIZE, pilot_test, settle, sign_in_staff

_days = BusinessDay


def _closed(bank: Bank) -> list[tuple[object, object]]:
    """Today's business day, if it was closed (the demo closed every day before it)."""
    today = bank.clock.now().date()
    query = select(_days.c.status, _days.c.seal_line).where(_days.c.business_date == today)
    return bank.db.read(lambda tx: [tuple(r) for r in tx.conn.execute(query)])


async def _wait_for_close(pilot: object, screen: EndOfDayScreen) -> None:
    for _ in range(200):
        await settle(pilot)  # type: ignore[arg-type]
        if "Closed. Seal:" in str(screen.query_one("#close-status", Static).render()):
            return
    raise AssertionError("the close did not finish")


@pilot_test
async def test_a_supervisor_closes_the_day_and_sees_what_it_did(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "admin")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EndOfDayScreen)
        assert "Not closed yet" in str(screen.query_one("#close-status", Static).render())
        await pilot.press("c")
        await settle(pilot)
        assert _closed(demo_bank) == []  # asked first: nothing ran yet
        await pilot.press("f10")
        await _wait_for_close(pilot, screen)
        [(status, line)] = _closed(demo_bank)
        assert status == "closed" and str(line).startswith("bankapp-seal:2026-11-20:")
        shown = str(screen.query_one("#close-status", Static).render())
        assert str(line) in shown
        steps = screen.query_one("#report-close", DataTable)
        labels = [str(steps.get_row_at(i)[0]) for i in range(steps.row_count)]
        assert labels[0] == "Deposits cleared" and "Interest entries posted" in labels
    assert demo_bank.verify().ok


@pilot_test
async def test_a_teller_is_told_only_a_supervisor_closes_the_day(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "teller")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("c", "f10")
        await settle(pilot)
        shown = " ".join(str(n.render()) for n in app.screen.query(Static))
        notes = " ".join(str(n.message) for n in app._notifications)
        assert "supervisor" in (shown + notes).lower()
    assert _closed(demo_bank) == []
