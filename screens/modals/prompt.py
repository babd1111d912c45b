"""`PromptModal`: asks for one value (a reason, an amount); None on cancel."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class PromptModal(ModalScreen[str | None]):
    """Asks for one value (a reason, an amount, a temporary password); None on cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel-prompt"),
    ]

    def __init__(
        self,
        title: str,
        label: str,
        *,
        detail: str = "",
        password: bool = False,
        placeholder: str = "",
        value: str = "",
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.label = label
        self.detail = detail
        self.password = password
        self.placeholder = placeholder
        self.initial = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="prompt-box"):
            yield Static(Text(self.prompt_title), classes="box-title")
            if self.detail:
                yield Static(Text(self.detail), classes="hint")
            yield Label(self.label)
            yield Input(
                value=self.initial,
                password=self.password,
                placeholder=self.placeholder,
                id="prompt-value",
            )
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="prompt-ok")
                yield Button("Cancel", id="prompt-cancel")

    def on_mount(self) -> None:
        self.query_one("#prompt-value", Input).focus()

    @on(Input.Submitted, "#prompt-value")
    @on(Button.Pressed, "#prompt-ok")
    def _ok(self) -> None:
        self.dismiss(self.query_one("#prompt-value", Input).value)

    @on(Button.Pressed, "#prompt-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
