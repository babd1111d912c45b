"""The sign-in screen: username and password, clear refusals, the demo sign-ins when in use."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import LoginResult
from bankapp.errors import BankError
from screens.base import BankScreen, field_error
from screens.messages import BankOpened, SignedIn
from screens.register import RegisterScreen

if TYPE_CHECKING:
    from bankapp.bank import Bank


def _is_demo(bank: Bank) -> bool:
    from bankapp.demo.logins import is_demo  # imported with the bank, in a worker

    return is_demo(bank)


class LoginScreen(BankScreen):
    """Sign in; F2 opens registration for a new customer."""

    HELP = (
        "Type your username and password and press Enter. After several wrong passwords "
        "sign-in slows down, then locks for a while; a supervisor can unlock it sooner. "
        "New customers press F2 to register."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "register", "Register", id="register"),
        Binding("escape", "go_back", show=False, id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="login-box", classes="form-box"):
            yield Static("Opening the bank…", id="login-title", classes="box-title")
            yield Label("Username")
            yield Input(placeholder="username", id="username")
            yield Label("Password")
            yield Input(placeholder="password", password=True, id="password")
            yield field_error("login")
            with Horizontal(classes="buttons"):
                yield Button("Sign in", variant="primary", id="sign-in")
                yield Button("Register (F2)", id="register")
        yield Static("", id="demo-hint")
        yield Footer()

    @property
    def username(self) -> Input:
        return self.query_one("#username", Input)

    @property
    def password(self) -> Input:
        return self.query_one("#password", Input)

    def on_mount(self) -> None:
        self.username.focus()
        if self.session.opening.done:
            self._bank_is_open(self.session.opening.error)

    def on_bank_opened(self, message: BankOpened) -> None:
        self._bank_is_open(message.error)

    def _bank_is_open(self, error: BankError | None) -> None:
        """The bank's name once it is open, and the demo sign-ins if it is the demo; or why
        it could not be opened (every sign-in is then refused with the same words)."""
        title = self.query_one("#login-title", Static)
        if error is not None:
            title.update("The bank could not be opened")
            self.show_login_error(error.message)
            return
        title.update(Text(self.bank.settings.bank_name))
        self.call_service(lambda: _is_demo(self.bank), self._show_demo_hint, group="demo")

    def on_screen_resume(self) -> None:
        self.password.value = ""
        self.clear_errors()
        (self.password if self.username.value else self.username).focus()

    def _show_demo_hint(self, demo: bool) -> None:
        if not demo:
            return
        from bankapp.demo.logins import DEMO_PASSWORD, DEMO_USERS

        names = ", ".join(user.username for user in DEMO_USERS)
        hint = self.query_one("#demo-hint", Static)
        hint.update(
            Text.assemble(
                ("Demo bank. ", "bold"),
                f"Sign in as {names} with the password ",
                (DEMO_PASSWORD, "bold"),
                ".",
            )
        )
        hint.add_class("-shown")

    @on(Input.Submitted, "#username")
    def _next_field(self) -> None:
        self.password.focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def action_sign_in(self) -> None:
        self.clear_errors()
        username, password = self.username.value, self.password.value
        if not username.strip() or not password:
            self.show_login_error("Enter your username and password.")
            return
        self.query_one("#sign-in", Button).disabled = True
        self.call_service(
            lambda: self.bank.auth.login(username, password),
            self._signed_in,
            group="login",
            on_error=self._refused,
        )

    def _signed_in(self, result: LoginResult) -> None:
        """The password was right: the app shows what the sign-in still owes, if anything."""
        self.query_one("#sign-in", Button).disabled = False
        self.password.value = ""
        self.post_message(SignedIn(result))

    def _refused(self, error: BankError) -> None:
        self.query_one("#sign-in", Button).disabled = False
        self.password.value = ""
        self.password.focus()
        message = error.message
        self.show_login_error(message)

    def show_login_error(self, message: str) -> None:
        error = self.field_error("login")
        if error is not None:
            error.update(Text(message))
            error.add_class("-shown")

    @on(Button.Pressed, "#register")
    def action_register(self) -> None:
        self.app.push_screen(RegisterScreen(), self._registered)

    def _registered(self, username: str | None) -> None:
        if username:
            self.username.value = username
            self.password.focus()
