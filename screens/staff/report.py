"""`EndOfDayScreen`: per drawer the opening cash, cash in and out, expected, counted and difference;
then the day's journal entries per kind. `[`/`]` move a day back or forward."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from bankapp.services.reports import DayReport
from screens.base import BankScreen
from screens.labels import entry_kind_label
from screens.staff.common import staff_table
from screens.widgets.cells import cell


class EndOfDayScreen(BankScreen):
    HELP = "The day's drawers and totals. [ and ] show the previous and next day."
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "day(-1)", "Previous day", id="report-previous"),
        Binding("right_square_bracket", "day(1)", "Next day", id="report-next"),
    ]

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.day = day

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("End of day", classes="staff-title", id="report-title")
            yield staff_table(
                "report-drawers",
                "Drawer",
                "Teller",
                "Status",
                "Opening cash",
                "Cash in",
                "Cash out",
                "Expected",
                "Counted",
                "Difference",
            )
            yield Static("", id="report-summary", classes="staff-status")
            yield Static("Totals per kind", classes="staff-title")
            yield staff_table("report-kinds", "Kind", "Entries", "Total")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "End-of-day report"
        self.reload()

    def action_day(self, step: int) -> None:
        current = self.day or self.bank.clock.now().date()
        self.day = current + timedelta(days=step)
        self.reload()

    def reload(self) -> None:
        day = self.day
        self.call_service(
            lambda: self.bank.reports.end_of_day(self.actor, day), self._show, group="report"
        )

    def _show(self, report: DayReport) -> None:
        self.day = report.day
        self.query_one("#report-title", Static).update(
            Text(f"End of day — {report.day:%A %d %B %Y} (UTC)")
        )
        drawers = self.query_one("#report-drawers", DataTable)
        drawers.clear()
        for line in report.drawers:
            drawers.add_row(
                cell(line.drawer_id),
                cell(line.teller),
                cell(line.status),
                *(
                    cell(self.money(v), right=True)
                    for v in (line.opening_cash, line.cash_in, line.cash_out, line.expected)
                ),
                cell("" if line.counted is None else self.money(line.counted), right=True),
                cell(
                    "" if line.difference is None else self.money(line.difference, plus=True),
                    right=True,
                ),
            )
        self.query_one("#report-summary", Static).update(
            Text(
                f"{len(report.drawers)} drawer(s); net over/short "
                f"{self.money(report.total_difference, plus=True)}"
            )
        )
        kinds = self.query_one("#report-kinds", DataTable)
        kinds.clear()
        for kind in report.kinds:
            kinds.add_row(
                cell(entry_kind_label(kind.kind)),
                cell(kind.count, right=True),
                cell(self.money(kind.total), right=True),
            )
