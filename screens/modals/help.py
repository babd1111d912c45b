"""The help modal: what the current screen is for and every key it answers to."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpModal(ModalScreen[None]):
    """Built from the screen underneath: its HELP text and its active key bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="close-help"),
    ]

    def __init__(self, about: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.about = about
        self.keys = keys

    @classmethod
    def for_screen(cls, screen: Screen[Any]) -> HelpModal:
        keys: list[tuple[str, str]] = []
        active = list(screen.active_bindings.items())
        for owner in (screen, screen.app):  # the screen's own keys first, then the app's
            for _key, binding_info in active:
                binding = binding_info.binding
                ours = binding.id is not None or binding.action == "command_palette"
                if binding_info.node is owner and binding.description and ours:
                    keys.append((screen.app.get_key_display(binding), binding.description))
        about = getattr(screen, "HELP", "") or "Use the keys below."
        return cls(about, keys)

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, description in self.keys:
            table.add_row(Text(key), Text(description))
        with VerticalScroll(id="help-box", classes="modal-box"):
            yield Static("Help", classes="box-title")
            yield Static(Text(self.about + "\n"), id="help-about")
            yield Static(table, id="help-keys")
            yield Static("Escape closes this help.", classes="hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
