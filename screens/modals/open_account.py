"""`OpenAccountModal`: choose the kind and a name, and open the account."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from bankapp.domain.types import CUSTOMER_ACCOUNT_KINDS, AccountView
from screens.base import ServiceCalls, field_error
from screens.labels import account_kind_label


class OpenAccountModal(ServiceCalls, ModalScreen[AccountView | None]):
    """Answers the new account, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "open", "Open", id="open"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="open-account-box"):
            yield Static("Open an account", classes="box-title")
            yield Label("Kind")
            yield Select(
                [(account_kind_label(k), k.value) for k in CUSTOMER_ACCOUNT_KINDS],
                value=CUSTOMER_ACCOUNT_KINDS[0].value,
                allow_blank=False,
                id="kind",
            )
            yield Label("Name (optional)")
            yield Input(placeholder="e.g. Holidays", id="name")
            yield field_error("name")
            yield field_error("kind")
            with Horizontal(classes="buttons"):
                yield Button("Open (Ctrl+S)", variant="primary", id="open")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#kind", Select).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#open")
    def action_open(self) -> None:
        kind = str(self.query_one("#kind", Select).value)
        name = self.query_one("#name", Input).value
        self.clear_errors()
        self.call_service(
            lambda: self.bank.accounts.open(self.actor, kind, name), self.dismiss, group="open"
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
