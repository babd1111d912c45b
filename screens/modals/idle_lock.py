"""`IdleLockModal`: covers the screen after inactivity until the password is typed again."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from bankapp.errors import AccountLocked, BankError, SessionEnded
from screens.base import ServiceCalls


class IdleLockModal(ServiceCalls, ModalScreen[bool]):
    """Answers True when the password unlocked the session, False when the user signs out.

    The bank holds the session locked meanwhile; a wrong password counts toward lockout
    exactly like a failed sign-in, and once locked the only way on is to sign out.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "sign_out", "Sign out", id="lock-sign-out"),
    ]

    def compose(self) -> ComposeResult:
        username = self.actor.username
        with Vertical(classes="modal-box", id="lock-box"):
            yield Static("Locked after inactivity", classes="box-title")
            yield Static(Text(f"Type the password of {username} to go on."))
            yield Input(password=True, placeholder="password", id="lock-password")
            yield Static("", id="lock-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Unlock", variant="primary", id="unlock")
                yield Button("Sign out (Ctrl+L)", id="sign-out")

    @property
    def password(self) -> Input:
        return self.query_one("#lock-password", Input)

    def on_mount(self) -> None:
        self.password.focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#unlock")
    def unlock(self) -> None:
        password, actor = self.password.value, self.actor
        self.query_one("#unlock", Button).disabled = True
        self.call_service(
            lambda: self.bank.auth.unlock_session(actor, password),
            lambda _: self.dismiss(True),
            group="unlock",
            on_error=self._refused,
        )

    def _refused(self, error: BankError) -> None:
        self.query_one("#unlock", Button).disabled = False
        self.password.value = ""
        if isinstance(error, AccountLocked | SessionEnded):
            text = f"{error.message} Sign out with Ctrl+L."
        else:
            text = f"Wrong password. {error.message}"
        message = self.query_one("#lock-error", Static)
        message.update(Text(text))
        message.add_class("-shown")
        self.password.focus()

    @on(Button.Pressed, "#sign-out")
    def action_sign_out(self) -> None:
        self.dismiss(False)
