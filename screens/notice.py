"""A plain full-screen notice, e.g. when a part of the app is not installed."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from screens.base import BankScreen


class NoticeScreen(BankScreen):
    """A title and one line of advice; Ctrl+L signs out."""

    HELP = "Nothing to do here. Press Ctrl+L to sign out."
    HOME = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "log_out", "Log out", id="log-out"),
    ]

    def __init__(self, title: str, advice: str) -> None:
        super().__init__()
        self.notice_title = title
        self.advice = advice

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="form-box"):
            yield Static(Text(self.notice_title), classes="box-title")
            yield Static(Text(self.advice))
        yield Footer()

    def action_log_out(self) -> None:
        self.bank_app.sign_out()
