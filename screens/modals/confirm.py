"""`ConfirmModal`: shows exactly what will happen and answers True (confirm) or False."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmModal(ModalScreen[bool]):
    """A title, labelled lines (shown as plain text) and Confirm / Cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("f10", "confirm", "Confirm", id="confirm"),
    ]

    def __init__(
        self,
        title: str,
        lines: list[tuple[str, str]],
        *,
        confirm: str = "Confirm",
        cancel: str = "Cancel",
        default_cancel: bool = False,
    ):
        super().__init__()
        self.confirm_title = title
        self.lines = lines
        self.confirm_label = confirm
        self.cancel_label = cancel
        self.default_cancel = default_cancel  # Enter keeps things as they are

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column()
        for label, value in self.lines:
            table.add_row(Text(label), Text(value))
        with Vertical(classes="modal-box", id="confirm-box"):
            yield Static(Text(self.confirm_title), classes="box-title")
            yield Static(table, id="confirm-lines")
            with Horizontal(classes="buttons"):
                if self.default_cancel:  # the safe answer looks like the default
                    yield Button(self.confirm_label, variant="error", id="confirm")
                    yield Button(self.cancel_label, variant="primary", id="cancel")
                else:
                    yield Button(self.confirm_label, variant="primary", id="confirm")
                    yield Button(self.cancel_label, id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.default_cancel else "#confirm", Button).focus()

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
