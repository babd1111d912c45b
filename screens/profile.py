"""The signed-in user's profile: view and edit details, change the password, turn on
two-step sign-in, and see the latest sign-ins (so a customer can notice a stranger)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import SignInEvent, UserView
from screens.base import BankScreen, field_error
from screens.change_password import ChangePasswordScreen
from screens.messages import ProfileSaved
from screens.staff.totp import SecondFactorSetupScreen

PROFILE_FIELDS = (
    ("full_name", "Full name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("address", "Address"),
)


class ProfileScreen(BankScreen):
    """Edit the fields and press Ctrl+S to save."""

    user: UserView | None = None

    HELP = (
        "Your details as the bank holds them. Edit and press Ctrl+S to save. "
        "F3 changes your password; F4 turns on two-step sign-in (an authenticator-app code). "
        "Below, your latest sign-ins and failed attempts: tell the bank if one was not you."
    )
    FORM = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="save"),
        # The buttons name F3 and F4; the footer keeps room for Quit and Help at 80 columns.
        Binding("f3", "change_password", "Change password", show=False, id="change-password"),
        Binding("f4", "two_step", "Two-step sign-in", show=False, id="two-step-sign-in"),
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
                yield Button("Two-step (F4)", id="two-step")
            yield Static("Latest sign-ins", classes="section-title")
            yield Static("", id="sign-ins")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Profile"
        actor = self.actor
        self.call_service(
            lambda: self.bank.auth.get_user(actor, actor.user_id), self._show, group="profile"
        )
        self.call_service(
            lambda: self.bank.auth.sign_ins(actor, limit=5), self._show_sign_ins, group="sign-ins"
        )

    def _show_sign_ins(self, events: list[SignInEvent]) -> None:
        lines = [
            f"{event.at:%Y-%m-%d %H:%M}  {'signed in' if event.succeeded else 'FAILED   '}"
            f"  {event.method}"
            for event in events
        ]
        self.query_one("#sign-ins", Static).update(Text("\n".join(lines) or "None yet."))

    def _show(self, user: UserView) -> None:
        self.user = user
        self.query_one("#two-step", Button).display = not user.totp_enabled
        self.query_one("#profile-facts", Static).update(
            Text(
                f"Username {user.username} · {user.role.value} · customer since "
                f"{user.created_at:%Y-%m-%d}"
            )
        )
        for name, _ in PROFILE_FIELDS:
            self.query_one(f"#{name.replace('_', '-')}", Input).value = getattr(user, name)
        self.remember_form()  # the saved profile, not yet anything typed
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

    @on(Button.Pressed, "#two-step")
    def action_two_step(self) -> None:
        if self.user is not None and self.user.totp_enabled:
            self.notify("Two-step sign-in is already on.", title="Two-step sign-in")
            return
        self.app.push_screen(SecondFactorSetupScreen())

    def on_screen_resume(self) -> None:
        if self.user is not None:  # back from the setup: show whether it is on now
            self.on_mount()
