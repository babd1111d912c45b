"""`DetailsModal`: one row of a table in full (Enter on a history or audit row): every field
labelled, long text wrapped rather than cut. What the fields are comes from the caller:
`history_line_details`, `audit_line_details`."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from bankapp.domain.audit_details import MONEY_DETAILS
from bankapp.domain.money import format_cents
from bankapp.domain.types import AuditLine, HistoryLine
from screens.labels import entry_kind_label


def history_line_details(line: HistoryLine, currency: str) -> list[tuple[str, str]]:
    """The labelled fields of a history line, as a person reads them."""
    return [
        ("Date", f"{line.at:%Y-%m-%d %H:%M:%S}"),
        ("Kind", entry_kind_label(line.kind)),
        ("Amount", format_cents(line.amount, currency, plus=True)),
        ("Balance after", format_cents(line.balance_after, currency)),
        ("Other side", line.counterparty or "—"),
        ("Memo", line.memo or "—"),
        ("Entry", f"#{line.entry_id} (posting #{line.posting_id})"),
    ]


def audit_line_details(line: AuditLine, currency: str) -> list[tuple[str, str]]:
    """An audit event's fields, its JSON details one per line, money as money."""
    fields = [
        ("Sequence", str(line.seq)),
        ("Time", f"{line.at:%Y-%m-%d %H:%M:%S}"),
        ("User", line.actor_name or "—"),
        ("Kind", line.kind),
        ("Subject", line.subject or "—"),
    ]
    try:
        details = json.loads(line.details) if line.details else {}
    except ValueError:
        details = None
    if not isinstance(details, dict):
        return [*fields, ("Details", line.details)]
    for name, value in details.items():
        fields.append((name.replace("_", " ").capitalize(), _detail_value(name, value, currency)))
    return fields


def _detail_value(name: str, value: object, currency: str) -> str:
    if name in MONEY_DETAILS and isinstance(value, int) and not isinstance(value, bool):
        return f"{format_cents(value, currency)} ({value} minor units)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class DetailsModal(ModalScreen[None]):
    """Read-only; Escape or the Close button closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="details-close"),
    ]

    def __init__(self, title: str, lines: list[tuple[str, str]]) -> None:
        super().__init__()
        self.details_title = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")  # a long memo wraps; nothing typed is cut here
        for label, value in self.lines:
            table.add_row(Text(label), Text(value))  # typed by people: plain text
        with VerticalScroll(classes="modal-box", id="details-box"):
            yield Static(Text(self.details_title), classes="box-title")
            yield Static(table, id="details-lines")
            with Horizontal(classes="buttons"):
                yield Button("Close", variant="primary", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
