"""`SecondFactorScreen`: the second-factor step of a sign-in — the code of an enrolled user,
or first-time enrolment (QR code drawn in the terminal, text key, recovery codes shown once).
It tells the app where the sign-in then stands (`SignedIn`); Escape abandons the sign-in."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import LoginResult
from bankapp.errors import BankError, InvalidSecondFactor
from bankapp.services.auth.second_factor import Enrolment
from screens.base import BankScreen, field_error
from screens.messages import SignedIn


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class SecondFactorScreen(BankScreen):
    HELP = (
        "Type the 6-digit code from your authenticator app, or one of your recovery codes. "
        "First sign-in: scan the QR code (or type the key) into the app first."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel sign-in", id="cancel-second-factor"),
    ]

    def __init__(self, pending: LoginResult) -> None:
        super().__init__()
        self.pending = pending
        self.finished: LoginResult | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="second-factor-box"):
            yield Static("Second factor", classes="box-title")
            with Horizontal(id="second-factor-body"):
                yield Static("", id="qr", classes="-hidden")
                with Vertical(id="second-factor-form"):
                    yield Static("", id="enrol-text", classes="-hidden")
                    yield Label("Code from your authenticator app", id="code-label")
                    yield Input(placeholder="123456", id="code", max_length=20, compact=True)
                    yield field_error("code")
                    yield Static("", id="recovery-codes", classes="-hidden")
                    with Horizontal(classes="buttons"):
                        yield Button("Verify", variant="primary", id="verify")
                        yield Button("Continue", id="continue", classes="-hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Second factor"
        self.query_one("#code", Input).focus()
        if self.pending.totp_enrolment_required:
            actor = self.pending.actor
            self.call_service(
                lambda: self.bank.totp.begin_enrolment(actor),
                self._show_enrolment,
                group="enrol",
                on_error=self._fatal,
            )

    def _show_enrolment(self, enrolment: Enrolment) -> None:
        self.query_one("#qr").remove_class("-hidden")
        self.query_one("#enrol-text").remove_class("-hidden")
        self.query_one("#qr", Static).update(Text("\n".join(enrolment.qr_lines)))
        self.query_one("#enrol-text", Static).update(
            Text(
                "Set up your second factor (required for staff).\n\n"
                "1. Scan the QR code with an authenticator app,\n   or type this key:\n\n"
                f"   {grouped(enrolment.secret)}\n\n"
                "2. Type the 6-digit code it shows.\n"
            )
        )

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#verify")
    def action_verify(self) -> None:
        self.clear_errors()
        code = self.query_one("#code", Input).value.strip()
        if not code:
            self.show_error(InvalidSecondFactor("Type the code.", field="code"))
            return
        self.query_one("#verify", Button).disabled = True
        actor, enrolling = self.pending.actor, self.pending.totp_enrolment_required

        def confirm() -> LoginResult:
            if enrolling:
                return self.bank.totp.confirm_enrolment(actor, code)
            return self.bank.auth.complete_second_factor(actor, code)

        self.call_service(confirm, self._verified, group="verify", on_error=self._refused)

    def _verified(self, result: LoginResult) -> None:
        if not result.recovery_codes:
            self._finish(result)
            return
        self.finished = result
        for hidden in ("#qr", "#enrol-text", "#code", "#code-label", "#verify"):
            self.query_one(hidden).add_class("-hidden")
        codes = self.query_one("#recovery-codes", Static)
        codes.update(
            Text(
                "Recovery codes — write them down now; they are not shown again.\n"
                "Each one signs you in once if you lose your device.\n\n"
                + "\n".join(f"  {code}" for code in result.recovery_codes)
            )
        )
        codes.remove_class("-hidden")
        self.query_one("#continue", Button).remove_class("-hidden")
        self.query_one("#continue", Button).focus()

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        if self.finished is not None:
            self._finish(self.finished)

    def _finish(self, result: LoginResult) -> None:
        self.post_message(SignedIn(result))
        self.dismiss(None)

    def _refused(self, error: BankError) -> None:
        self.query_one("#verify", Button).disabled = False
        self.query_one("#code", Input).value = ""
        if isinstance(error, InvalidSecondFactor):
            self.show_error(InvalidSecondFactor(error.message, field="code"))
            return
        self._fatal(error)

    def _fatal(self, error: BankError) -> None:
        self.notify(error.message, title="Sign-in stopped", severity="error", markup=False)
        self._abandon()

    def action_cancel(self) -> None:
        self._abandon()

    def _abandon(self) -> None:
        """Back to the sign-in screen; the half-finished session ends at the bank."""
        actor, auth = self.pending.actor, self.bank.auth
        self.call_service(lambda: auth.sign_out(actor), lambda _: None, group="abandon")
        self.dismiss(None)


class SecondFactorSetupScreen(BankScreen):
    """A signed-in customer opts in to the second factor: scan, confirm one code, then keep
    the recovery codes (shown once)."""

    HELP = (
        "Scan the QR code with an authenticator app (or type the key), then type the code it "
        "shows. From then on you sign in with your password and a code."
    )
    CSS_PATH = "staff.tcss"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="second-factor-box"):
            yield Static("Two-step sign-in", classes="box-title")
            with Horizontal(id="second-factor-body"):
                yield Static("", id="qr")
                with Vertical(id="second-factor-form"):
                    yield Static("Preparing…", id="enrol-text")
                    yield Label("Code from your authenticator app", id="code-label")
                    yield Input(placeholder="123456", id="code", max_length=20, compact=True)
                    yield field_error("code")
                    yield Static("", id="recovery-codes", classes="-hidden")
                    with Horizontal(classes="buttons"):
                        yield Button("Turn on", variant="primary", id="verify")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Two-step sign-in"
        actor = self.actor
        self.query_one("#code", Input).focus()
        self.call_service(lambda: self.bank.totp.begin_enrolment(actor), self._show, group="enrol")

    def _show(self, enrolment: Enrolment) -> None:
        self.query_one("#qr", Static).update(Text("\n".join(enrolment.qr_lines)))
        self.query_one("#enrol-text", Static).update(
            Text(
                "1. Scan the QR code with an authenticator app,\n   or type this key:\n\n"
                f"   {grouped(enrolment.secret)}\n\n2. Type the 6-digit code it shows.\n"
            )
        )

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#verify")
    def action_verify(self) -> None:
        self.clear_errors()
        actor, code = self.actor, self.query_one("#code", Input).value.strip()
        self.call_service(
            lambda: self.bank.totp.confirm_enrolment(actor, code),
            self._on,
            group="confirm",
            on_error=self._wrong_code,
        )

    def _wrong_code(self, error: BankError) -> None:
        self.query_one("#code", Input).value = ""
        self.show_error(InvalidSecondFactor(error.message, field="code"))

    def _on(self, result: LoginResult) -> None:
        codes = result.recovery_codes
        for hidden in ("#qr", "#enrol-text", "#code", "#code-label", "#verify"):
            self.query_one(hidden).add_class("-hidden")
        shown = self.query_one("#recovery-codes", Static)
        shown.update(
            Text(
                "Two-step sign-in is on.\n\nRecovery codes — write them down now; they are not "
                "shown again. Each one signs you in once if you lose your device.\n\n"
                + "\n".join(f"  {code}" for code in codes)
                + "\n\nEscape to go back."
            )
        )
        shown.remove_class("-hidden")
