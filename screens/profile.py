"""The signed-in user's profile: view and edit details; Ctrl+P changes the password."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import UserView
from screens.base import BankScreen, field_error
from screens.change_password import ChangePasswordScreen
from screens.messages import ProfileSaved

PROFILE_FIELDS = (
    ("full_name", "Full name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("address", "Address"),
)


class ProfileScreen(BankScreen):
    """Edit the fields and press Ctrl+S to save."""

    HELP = (
        "Your details as the bank holds them. Edit and press Ctrl+S to save. "
        "F3 changes your password."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="save"),
        Binding("f3", "change_password", "Change password", id="change-password"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form-box", id="profile-box"):
            yield Static("Your profile", classes="box-title")
            yield Static("", id="profile-facts")
            for name, label in PROFILE_FIELDS:
                yield Label(label)
                yield Input(id=name.replace("_", "-"), compact=True)
                yield field_error(name)
            with Horizontal(classes="buttons"):
                yield Button("Save (Ctrl+S)", variant="primary", id="save")
                yield Button("Change password (F3)", id="change-password")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Profile"
        self.call_service(
            lambda: self.bank.auth.get_user(self.actor, self.actor.user_id),
            self._show,
            group="profile",
        )

    def _show(self, user: UserView) -> None:
        self.query_one("#profile-facts", Static).update(
            Text(
                f"Username {user.username} · {user.role.value} · customer since "
                f"{user.created_at:%Y-%m-%d}"
            )
        )
        for name, _ in PROFILE_FIELDS:
            self.query_one(f"#{name.replace('_', '-')}", Input).value = getattr(user, name)
        self.query_one("#full-name", Input).focus()

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.clear_errors()
        values = {
            name: self.query_one(f"#{name.replace('_', '-')}", Input).value
            for name, _ in PROFILE_FIELDS
        }
        self.call_service(
            lambda: self.bank.auth.update_profile(
                self.actor,
                full_name=values["full_name"],
                email=values["email"],
                phone=values["phone"],
                address=values["address"],
            ),
            self._saved,
            group="save",
        )

    def _saved(self, user: UserView) -> None:
        self.post_message(ProfileSaved(user))
        self.notify("Your profile is saved.", title="Saved")
        self._show(user)

    @on(Button.Pressed, "#change-password")
    def action_change_password(self) -> None:
        self.app.push_screen(ChangePasswordScreen())
