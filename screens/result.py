"""The result of a money movement: what was done and the new balance of the user's accounts."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Footer, Header, Static

from screens.base import BankScreen


class ResultScreen(BankScreen):
    """Read-only; Enter or Escape returns to where the form was opened."""

    HELP = "The operation is done. Press Enter or Escape to go back."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "go_back", "Done", id="back"),
    ]

    def __init__(self, title: str, lines: list[tuple[str, str]]) -> None:
        super().__init__()
        self.result_title = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column()
        for label, value in self.lines:
            table.add_row(Text(label), Text(value))
        yield Header()
        with Vertical(classes="form-box", id="result-box"):
            yield Static(
                Text.assemble(("✓ ", "bold green"), self.result_title), classes="box-title"
            )
            yield Static(table, id="result-lines")
            yield Button("Done", variant="primary", id="done")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Done"
        self.query_one("#done", Button).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_go_back(self) -> None:
        self.dismiss(None)
