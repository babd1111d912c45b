"""Change the signed-in user's password: the current one, then the new one twice."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import Actor, LoginResult
from screens.base import BankScreen, field_error
from screens.messages import SignedIn
from screens.widgets.password_rules import password_feedback


class ChangePasswordScreen(BankScreen):
    """From the profile: the signed-in user changes their password. With `pending`, a sign-in
    that waits for a new password (a temporary one was set): nothing else is reachable until
    it is changed, and Escape abandons the sign-in."""

    HELP = (
        "Type your current password, then the new one twice. The rules are checked as you "
        "type. Ctrl+S saves."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="save"),
    ]

    def __init__(self, *, pending: LoginResult | None = None) -> None:
        super().__init__()
        self.pending = pending

    @property
    def forced(self) -> bool:
        return self.pending is not None

    @property
    def who(self) -> Actor:
        return self.pending.actor if self.pending is not None else self.actor

    def _reset_notice(self) -> Text:
        """Who reset the password and when (so a reset nobody asked for is noticed)."""
        reset = self.pending.password_reset if self.pending is not None else None
        if reset is None:
            return Text("You were given a temporary password; choose a new one to continue.")
        return Text.assemble(
            "Your password was reset by ",
            (reset.by, "bold"),  # a name from the database: plain text
            f" on {reset.at:%Y-%m-%d at %H:%M} UTC. Choose a new one to continue. If you did "
            "not ask for this, tell the bank.",
        )

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form-box", id="password-box"):
            yield Static("Change your password", classes="box-title")
            if self.forced:
                yield Static(self._reset_notice(), classes="hint", id="reset-notice")
            yield Label("Current password")
            yield Input(password=True, id="old-password", compact=True)
            yield field_error("old_password")
            yield Label("New password")
            yield Input(password=True, id="password", compact=True)
            yield field_error("password")
            yield Label("New password again")
            yield Input(password=True, id="password-confirm", compact=True)
            yield field_error("password_confirm")
            yield Static("", id="password-rules")
            with Horizontal(classes="buttons"):
                yield Button("Save (Ctrl+S)", variant="primary", id="save")
        yield Footer()

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def on_mount(self) -> None:
        self.title = "Change password"
        self.query_one("#old-password", Input).focus()

    @on(Input.Changed, "#password")
    def _show_rules(self) -> None:
        password = self.value("password")
        problems = self.bank.auth.password_problems(password, self.who.username)
        self.query_one("#password-rules", Static).update(password_feedback(password, problems))

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "password-confirm":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.clear_errors()
        old, new, confirm = (
            self.value(i) for i in ("old-password", "password", "password-confirm")
        )
        who = self.who
        self.call_service(
            lambda: self.bank.auth.change_password(who, old, new, confirm),
            self._changed,
            group="password",
        )

    def _changed(self, result: LoginResult) -> None:
        self.notify("Your password is changed.", title="Saved")
        if self.pending is not None:
            self.post_message(SignedIn(result))
        self.dismiss(None)

    def action_go_back(self) -> None:
        if self.pending is not None:  # abandon the sign-in; the session ends at the bank
            actor, auth = self.pending.actor, self.bank.auth
            self.call_service(lambda: auth.sign_out(actor), lambda _: None, group="abandon")
        self.dismiss(None)
