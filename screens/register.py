"""Registration of a new customer: profile fields, password with live feedback on its rules."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import UserView
from bankapp.errors import BankError, PasswordRejected
from screens.base import BankScreen, field_error
from screens.widgets.password_rules import password_feedback

FIELDS = (
    ("username", "Username", "3-32 letters, digits, . _ -", False),
    ("full_name", "Full name", "as on your ID", False),
    ("email", "Email", "name@example.com", False),
    ("phone", "Phone (optional)", "+1 555 0100", False),
    ("address", "Address (optional)", "street, town", False),
    ("password", "Password", "at least 15 characters; a phrase works well", True),
    ("password_confirm", "Password again", "the same password", True),
)


class RegisterScreen(BankScreen):
    """Fill in the form and press Ctrl+S (or Enter on the last field) to register."""

    HELP = (
        "Register as a new customer. The password rules are checked as you type, by the "
        "same rules the bank applies. Ctrl+S registers; Escape goes back to sign-in."
    )
    FORM = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "register", "Register", id="submit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="register-box", classes="form-box"):
            yield Static("Register as a new customer", classes="box-title")
            for name, label, placeholder, secret in FIELDS:
                yield Label(label)
                yield Input(
                    placeholder=placeholder,
                    password=secret,
                    id=name.replace("_", "-"),
                    compact=True,
                )
                yield field_error(name)
            yield Static("", id="password-rules")
            with Horizontal(classes="buttons"):
                yield Button("Register (Ctrl+S)", variant="primary", id="register")
                yield Button("Back", id="back")
        yield Footer()

    def value(self, name: str) -> str:
        return self.query_one(f"#{name.replace('_', '-')}", Input).value

    def on_mount(self) -> None:
        self.title = "Register"
        self.query_one("#username", Input).focus()
        self._show_rules()

    def on_bank_opened(self) -> None:
        self._show_rules()

    @on(Input.Changed, "#password, #username")
    def _show_rules(self) -> None:
        """Live feedback: the rules the password breaks now, from the service layer (once
        the bank is open: registering is refused until then anyway)."""
        opening = self.session.opening
        if not opening.done or opening.error is not None:
            return
        password = self.value("password")
        problems = self.bank.auth.password_problems(password, self.value("username"))
        self.query_one("#password-rules", Static).update(password_feedback(password, problems))

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "password-confirm":
            self.action_register()
        else:
            self.focus_next()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(None)

    def action_go_back(self) -> None:
        self.leave(lambda: self.dismiss(None))

    @on(Button.Pressed, "#register")
    def action_register(self) -> None:
        self.clear_errors()
        values = {name: self.value(name) for name, *_ in FIELDS}
        self.call_service(
            lambda: self.bank.auth.register(**values),
            self._registered,
            group="register",
            on_error=self._refused,
        )

    def _refused(self, error: BankError) -> None:
        if isinstance(error, PasswordRejected) and error.field == "password":
            self.show_error(error)
            self.query_one("#password", Input).focus()
            return
        self.show_error(error)
        if error.field:
            for widget in self.query(f"#{error.field.replace('_', '-')}").results(Input):
                widget.focus()

    def _registered(self, user: UserView) -> None:
        self.notify(
            f"Welcome, {user.full_name}. You can sign in now as {user.username}.",
            title="Registered",
            markup=False,
        )
        self.dismiss(user.username)
