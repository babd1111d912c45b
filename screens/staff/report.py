"""`EndOfDayScreen`: per drawer the opening cash, cash in and out, expected, counted and difference;
then the day's journal entries per kind; and, once the day is closed, what the close of
business did and its seal line. `[`/`]` move a day back or forward; `c` closes the day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from bankapp.errors import BankError
from bankapp.services.close_day import DayClosed, Progress
from bankapp.services.reports import DayReport
from screens.base import BankScreen
from screens.labels import entry_kind_label
from screens.modals.confirm import ConfirmModal
from screens.staff.common import staff_table
from screens.widgets.cells import cell


class EndOfDayScreen(BankScreen):
    HELP = (
        "The day's drawers and totals. [ and ] show the previous and next day; c closes the "
        "business day (a supervisor): clearing, card settlement, standing orders, interest, "
        "then a seal of the audit chain."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # The title says [ and ]; the footer keeps room for Quit and Help at 80 columns.
        Binding("left_square_bracket", "day(-1)", "Previous day", show=False, id="report-previous"),
        Binding("right_square_bracket", "day(1)", "Next day", show=False, id="report-next"),
        Binding("c", "close_day", "Close day", id="report-close"),
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
            yield Static("Close of business", classes="staff-title")
            yield ProgressBar(total=None, show_eta=False, id="close-progress")
            yield Static("", id="close-status", classes="staff-status")
            yield staff_table("report-close", "Step", "Done", "Total", "Skipped")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "End-of-day report"
        self.query_one("#close-progress", ProgressBar).display = False
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

    def _show_close(self, day: date) -> None:
        """The close's outcome for `day`, if it is closed and the user may see it."""

        def load() -> DayClosed | None:
            try:
                return self.bank.close_of_business.report(self.actor, day)
            except BankError:
                return None  # not closed yet, or not a supervisor: nothing to show

        self.call_service(load, self._show_closed, group="close-report")

    def _show_closed(self, closed: DayClosed | None) -> None:
        table = self.query_one("#report-close", DataTable)
        table.clear()
        status = self.query_one("#close-status", Static)
        table.display = closed is not None  # the room goes to the day's tables until then
        if closed is None:
            status.update(Text("Not closed yet. A supervisor closes the day with c."))
            return
        for step in closed.steps:
            table.add_row(
                cell(step.label),
                cell(step.items, right=True),
                cell(self.money(step.total) if step.total else "", right=True),
                cell(step.skipped or "", right=True),
            )
        status.update(Text(f"Closed. Seal: {closed.seal_line}"))

    def action_close_day(self) -> None:
        day = self.day or self.bank.clock.now().date()
        lines = [
            ("Business date", f"{day:%A %d %B %Y}"),
            ("Runs", "clearing, card settlement, standing orders, interest"),
            ("Then", "seals the audit chain and closes the day"),
            ("Earlier days", "any day not yet closed is closed first, in order"),
        ]

        def chosen(yes: bool | None) -> None:
            if yes:
                self._run_close(day)

        self.app.push_screen(
            ConfirmModal("Close the business day?", lines, confirm="Close"), chosen
        )

    def _run_close(self, day: date) -> None:
        bar = self.query_one("#close-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)

        def moved(state: Progress) -> None:
            text = f"{state.business_date}: step {state.step} of {state.steps}, {state.label}"
            self.app.call_from_thread(self._progress, state.step, state.steps, text)

        def finished(closed: list[DayClosed]) -> None:
            bar.display = False
            self._show_closed(closed[-1])
            self.notify(f"Closed {len(closed)} business day(s).")

        self.call_service(
            lambda: self.bank.close_of_business.close_day(self.actor, day, progress=moved),
            finished,
            group="close",
            exclusive=False,
            on_error=lambda _: setattr(bar, "display", False),
        )

    def _progress(self, step: int, steps: int, text: str) -> None:
        self.query_one("#close-progress", ProgressBar).update(total=steps, progress=step - 1)
        self.query_one("#close-status", Static).update(Text(text))

    def _show(self, report: DayReport) -> None:
        self.day = report.day
        self.query_one("#report-title", Static).update(
            Text(f"End of day — {report.day:%A %d %B %Y} (UTC) · [ ] other days")
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
        self._show_close(report.day)
        kinds = self.query_one("#report-kinds", DataTable)
        kinds.clear()
        for kind in report.kinds:
            kinds.add_row(
                cell(entry_kind_label(kind.kind)),
                cell(kind.count, right=True),
                cell(self.money(kind.total), right=True),
            )
