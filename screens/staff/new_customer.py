"""`NewCustomerScreen`: a teller registers a customer with a temporary password, which the
customer must change at first sign-in. Dismisses with the new user's id."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import UserView
from bankapp.services.auth.access_changes import temporary_password
from screens.base import BankScreen, field_error

FIELDS = (
    ("username", "Username"),
    ("full_name", "Full name"),
    ("email", "Email"),
    ("phone", "Phone (optional)"),
    ("address", "Address (optional)"),
)


class NewCustomerScreen(BankScreen):
    HELP = "Register a customer. Give them the temporary password in person; Ctrl+S saves."
    FORM = True
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "register", "Register", id="customer-register"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"), Vertical(classes="form-box"):
            yield Static("New customer", classes="box-title")
            for field, label in FIELDS:
                yield Label(label)
                yield Input(id=field.replace("_", "-"), compact=True)
                yield field_error(field)
            yield Label("Temporary password (changed at first sign-in)")
            yield Input(value=temporary_password(), id="password", compact=True)
            yield field_error("password")
            with Horizontal(classes="buttons"):
                yield Button("Register (Ctrl+S)", variant="primary", id="register")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "New customer"
        self.query_one("#username", Input).focus()

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#register")
    def action_register(self) -> None:
        self.clear_errors()
        value = {
            f: self.query_one(f"#{f.replace('_', '-')}", Input).value
            for f, _label in (*FIELDS, ("password", ""))
        }
        actor = self.actor
        self.call_service(
            lambda: self.bank.auth.create_user(
                actor,
                username=value["username"],
                password=value["password"],
                full_name=value["full_name"],
                email=value["email"],
                phone=value["phone"],
                address=value["address"],
                must_change_password=True,
            ),
            self._registered,
            group="register",
            exclusive=False,
        )

    def _registered(self, user: UserView) -> None:
        self.notify(f"{user.full_name} registered as {user.username}.", markup=False)
        self.dismiss(user.id)
