"""`StatementScreen`: one account over a period — summary, balance chart, paged lines, export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Select, Sparkline, Static

from bankapp.domain.statement_types import StatementFormat
from bankapp.errors import BankError
from bankapp.exports.files import DEFAULT_EXPORT_DIR, export_statement
from bankapp.services.statements import (
    PRESET_LABELS,
    Preset,
    StatementCursor,
    StatementPage,
    StatementPeriod,
    StatementSummary,
    StatementView,
)
from screens.base import BankScreen, field_error
from screens.changes import statement_changes
from screens.labels import account_kind_label
from screens.widgets.ledger_table import LedgerTable

PAGE_SIZE = 50


@dataclass(frozen=True)
class _Loaded:
    generation: int
    view: StatementView


@dataclass(frozen=True)
class _MoreLoaded:
    generation: int
    page: StatementPage


@dataclass(frozen=True)
class _SeriesLoaded:
    generation: int
    series: tuple[int, ...]


class StatementScreen(BankScreen):
    """A statement for one account: pick a period, read the summary and lines, export."""

    CSS_PATH = "statements.tcss"
    AUTO_FOCUS = "#statement-lines"
    HELP = (
        "A statement for one account. Choose a period (this month, last month, last 90 days, "
        "year to date) or type the first and last day (YYYY-MM-DD, both included, UTC) and "
        "press Enter. Closing = opening + money in - money out. Enter on a line shows it in "
        "full. F6 exports CSV and F7 exports PDF into the folder shown; each export is recorded "
        "and can be reprinted."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "reload", "Reload", show=False, id="statement-reload"),
        Binding("f6", "export('csv')", "Export CSV", id="statement-export-csv"),
        Binding("f7", "export('pdf')", "Export PDF", id="statement-export-pdf"),
    ]

    def __init__(self, account_id: int, preset: Preset = Preset.THIS_MONTH) -> None:
        super().__init__()
        self.account_id = account_id
        self.period = self.bank.statements.period(preset)
        self.summary: StatementSummary | None = None
        self.next_cursor: StatementCursor | None = None
        self.generation = 0
        self.fetching = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="statement-view"):
            with Horizontal(id="statement-range"):
                yield Select(
                    [(label, preset.value) for preset, label in PRESET_LABELS.items()],
                    value=self.period.preset.value,
                    allow_blank=False,
                    id="preset",
                )
                yield Input(
                    self.period.first_day.isoformat(), placeholder="from YYYY-MM-DD", id="first-day"
                )
                yield Input(
                    self.period.last_day.isoformat(), placeholder="to YYYY-MM-DD", id="last-day"
                )
            yield field_error("first_day")
            yield field_error("last_day")
            with Horizontal(id="statement-top"):
                yield Static("", id="statement-summary")
                with Vertical(id="statement-chart"):
                    yield Static("Balance over the period", classes="chart-title")
                    yield Sparkline([], id="balance-chart")
                    yield Static("", id="chart-range")
            yield LedgerTable(currency=self.bank.settings.currency, id="statement-lines")
            yield Static("", id="statement-status")
            with Horizontal(id="statement-export"):
                yield Static("Export to folder", classes="export-label")
                yield Input(str(DEFAULT_EXPORT_DIR), id="export-folder")
                yield Button("Export CSV (F6)", id="export-csv")
                yield Button("Export PDF (F7)", id="export-pdf", variant="primary")
            yield field_error("folder")
            yield Static("", id="export-result")
        yield Footer()

    @property
    def table(self) -> LedgerTable:
        return self.query_one("#statement-lines", LedgerTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.action_reload()

    # -- the period -----------------------------------------------------------------------

    @on(Select.Changed, "#preset")
    def preset_chosen(self, event: Select.Changed) -> None:
        preset = Preset(str(event.value))
        if preset == Preset.CUSTOM or preset == self.period.preset:
            return
        self.period = self.bank.statements.period(preset)
        self.query_one("#first-day", Input).value = self.period.first_day.isoformat()
        self.query_one("#last-day", Input).value = self.period.last_day.isoformat()
        self.action_reload()

    @on(Input.Submitted, "#first-day, #last-day")
    def custom_period(self) -> None:
        self.clear_errors()
        first = self.query_one("#first-day", Input).value
        last = self.query_one("#last-day", Input).value
        try:
            period = StatementPeriod.parse(first, last)
        except BankError as exc:  # shown beside the field it names
            self.show_error(exc)
            return
        if (period.first_day, period.last_day) != (self.period.first_day, self.period.last_day):
            self.period = period
            self.query_one("#preset", Select).value = Preset.CUSTOM.value
        self.action_reload()

    # -- loading --------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.generation += 1
        generation, period = self.generation, self.period
        self.next_cursor = None
        self.fetching = True
        self.table.clear()
        self.query_one("#statement-status", Static).update("Loading…")
        self.call_service(
            lambda: _Loaded(
                generation,
                self.bank.statements.view(self.actor, self.account_id, period, limit=PAGE_SIZE),
            ),
            self._show,
            group="statement",
            busy=self.table,
        )
        self.call_service(
            lambda: _SeriesLoaded(
                generation, self.bank.statements.balance_series(self.actor, self.account_id, period)
            ),
            self._show_series,
            group="statement-series",
            busy=self.query_one("#balance-chart", Sparkline),
        )

    def changed_elsewhere(self) -> None:
        """A posting elsewhere may fall in this period: the summary is asked for again, and
        only if it differs are the lines reloaded (a reload goes back to the first page)."""
        period, before = self.period, self.summary

        def compare(after: StatementSummary) -> None:
            if period != self.period or self.summary is not before:
                return  # the user chose another period meanwhile; that load shows it
            lines = statement_changes(before, after, self.money)
            if lines:
                self.action_reload()
                self.tell_changed(lines)

        self.call_service(
            lambda: self.bank.statements.view(self.actor, self.account_id, period, limit=1).summary,
            compare,
            group="statement-check",
        )

    def _show(self, loaded: _Loaded) -> None:
        if loaded.generation != self.generation:
            return
        self.fetching = False
        summary = loaded.view.summary
        self.summary = summary
        self.title = f"Statement · {summary.account_name}"
        self.query_one("#statement-summary", Static).update(self._summary_text(summary))
        self._add(loaded.view.page)

    def _summary_text(self, summary: StatementSummary) -> Text:
        money = self.money
        return Text.assemble(
            (summary.account_name, "bold"),
            " · ",
            summary.masked_number,
            " · ",
            account_kind_label(summary.account_kind),
            " · ",
            summary.holder_name,
            "\n",
            "Period ",
            (summary.period.label, "bold"),
            "\n",
            "Opening balance  ",
            (money(summary.opening_balance).rjust(14), "bold"),
            "\n",
            "Money in         ",
            money(summary.total_in).rjust(14),
            "\n",
            "Money out        ",
            money(summary.total_out).rjust(14),
            "\n",
            "Closing balance  ",
            (money(summary.closing_balance).rjust(14), "bold"),
            "\n",
            f"{summary.line_count} transaction{'s' if summary.line_count != 1 else ''}",
        )

    def _show_series(self, loaded: _SeriesLoaded) -> None:
        if loaded.generation != self.generation:
            return
        self.query_one("#balance-chart", Sparkline).data = list(loaded.series)
        low, high = min(loaded.series), max(loaded.series)
        self.query_one("#chart-range", Static).update(
            Text(f"low {self.money(low)} · high {self.money(high)}", style="dim")
        )

    def _add(self, page: StatementPage) -> None:
        self.table.add_lines(page.lines)
        self.next_cursor = page.next_cursor
        shown = self.table.row_count
        total = self.summary.line_count if self.summary else shown
        status = (
            "No transactions in this period."
            if total == 0
            else (
                f"Showing {shown} of {total} transactions, oldest first"
                + (" — scroll for more" if self.next_cursor else "")
            )
        )
        self.query_one("#statement-status", Static).update(status)

    @on(LedgerTable.NearEnd)
    def load_more(self) -> None:
        if self.fetching or self.next_cursor is None:
            return
        self.fetching = True
        generation, period, cursor = self.generation, self.period, self.next_cursor
        self.call_service(
            lambda: _MoreLoaded(
                generation,
                self.bank.statements.lines(
                    self.actor, self.account_id, period, cursor=cursor, limit=PAGE_SIZE
                ),
            ),
            self._show_more,
            group="statement-more",
        )

    def _show_more(self, loaded: _MoreLoaded) -> None:
        if loaded.generation != self.generation:
            return
        self.fetching = False
        self._add(loaded.page)

    # -- export ---------------------------------------------------------------------------

    @on(Button.Pressed, "#export-csv")
    def export_csv(self) -> None:
        self.action_export("csv")

    @on(Button.Pressed, "#export-pdf")
    def export_pdf(self) -> None:
        self.action_export("pdf")

    @property
    def export_row(self) -> Horizontal:
        return self.query_one("#statement-export", Horizontal)

    def action_export(self, fmt: str) -> None:
        """Write the file in a worker; the export row shows a loading indicator meanwhile
        (the rest of the screen stays usable) and a notification gives the path."""
        if self.export_row.loading:
            self.notify("An export is already being written.", severity="warning")
            return
        self.clear_errors()
        folder = Path(self.query_one("#export-folder", Input).value.strip() or DEFAULT_EXPORT_DIR)
        period, file_format = self.period, StatementFormat(fmt)
        self.query_one("#export-result", Static).update(f"Writing {file_format.value.upper()}…")

        def export() -> Path:
            document = self.bank.statements.generate(self.actor, self.account_id, period)
            return export_statement(document, file_format, folder)

        self.call_service(
            export,
            self._exported,
            group="statement-export",
            on_error=self._export_refused,
            busy=self.export_row,
        )

    def _exported(self, path: Path) -> None:
        self.query_one("#export-result", Static).update(
            Text.assemble("Saved ", (str(path), "bold"))
        )
        self.notify(f"Statement saved to {path}", title="Exported", markup=False)

    def _export_refused(self, error: BankError) -> None:
        self.query_one("#export-result", Static).update("")
        self.show_error(error)
