"""`LedgerTable`: a history table that asks for the next page as the user nears its end."""

from __future__ import annotations

from typing import Self

from rich.text import Text
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from bankapp.domain.money import format_cents
from bankapp.domain.types import HistoryLine
from screens.labels import entry_kind_label
from screens.modals.details import DetailsModal, history_line_details
from screens.widgets.cells import cut

NEAR_END_ROWS = 5
# A memo longer than this many cells ends in "…" in the table (Enter shows it whole), so one
# long memo cannot push the other columns off the screen.
MEMO_CELLS = 40


class LedgerTable(DataTable[Text]):
    """Rows are appended page by page; `NearEnd` is posted when more rows would help. Enter
    on a row shows the line in full (`DetailsModal`)."""

    DEFAULT_CSS = """
    LedgerTable { height: 1fr; }
    """

    class NearEnd(Message):
        """The user scrolled or moved the cursor close to the last loaded row."""

    def __init__(self, *, currency: str = "USD", id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.currency = currency
        self.lines: dict[str, HistoryLine] = {}

    def on_mount(self) -> None:
        # Money before words: on an 80-column terminal the memo is what gets cut off.
        self.add_columns("Date", "Kind", "Amount", "Balance", "Memo", "Other side")

    def clear(self, columns: bool = False) -> Self:
        self.lines.clear()
        super().clear(columns)
        return self

    def add_lines(self, lines: tuple[HistoryLine, ...]) -> None:
        for line in lines:
            self.lines[str(line.posting_id)] = line
            self.add_row(
                Text(f"{line.at:%Y-%m-%d %H:%M}"),
                Text(entry_kind_label(line.kind)),
                Text(format_cents(line.amount, self.currency, plus=True), justify="right"),
                Text(format_cents(line.balance_after, self.currency), justify="right"),
                cut(line.memo, MEMO_CELLS),  # typed by a person: plain text, never markup
                cut(line.counterparty, MEMO_CELLS),
                key=str(line.posting_id),
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        line = self.lines.get(str(event.row_key.value))
        if line is not None:
            event.stop()
            details = history_line_details(line, self.currency)
            self.app.push_screen(DetailsModal("History line", details))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new > old and self.max_scroll_y > 0 and new >= self.max_scroll_y - NEAR_END_ROWS:
            self.post_message(self.NearEnd())

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if new.row > old.row and new.row >= self.row_count - NEAR_END_ROWS:
            self.post_message(self.NearEnd())
