"""`BankApp`, the one composition root of the UI (`make_app`), and `run_app` for the CLI.

Extension points for other screens (small edits here only):
- Staff home: `route_home` imports `screens.staff.home.StaffHomeScreen` lazily.
- Cards and statements: `open_optional_screen("screens.cards", "CardsScreen", ...)` is how the
  dashboard opens them; a missing module shows "not available yet" instead of failing.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from bankapp.bank import Bank
from bankapp.domain.money import format_cents
from bankapp.domain.types import Actor, LoginResult
from screens.keymap import KeymapApp


class BankApp(KeymapApp):
    """The bank's terminal UI: sign-in first, then the customer's or the staff's home.

    `KeymapApp` adds the global keys, the palette's commands and the user's settings.
    """

    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help-question"),
    ]

    def __init__(
        self,
        bank: Bank,
        *,
        idle_seconds: float = 300,
        idle_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.bank = bank
        self.title = bank.settings.bank_name
        self.idle_seconds = idle_seconds
        self.idle_clock = idle_clock
        self.last_activity = idle_clock()
        self.signed_in: LoginResult | None = None
        self.locked = False

    # -- who is signed in -----------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        if self.signed_in is None:
            raise RuntimeError("nobody is signed in")
        return self.signed_in.actor

    def money(self, cents: int, *, plus: bool = False) -> str:
        return format_cents(cents, self.bank.settings.currency, plus=plus)

    def on_mount(self) -> None:
        from screens.login import LoginScreen

        self.push_screen(LoginScreen())
        self.set_interval(1.0, self.check_idle_lock, name="idle-check")

    def sign_in(self, result: LoginResult) -> None:
        """Called by the login screen: remember who signed in and go to their home screen."""
        self.signed_in = result
        self.touch()
        user = result.user
        self.sub_title = f"{user.full_name} ({user.username}) · {user.role.value}"
        self.route_home()
        if result.must_change_password:
            from screens.change_password import ChangePasswordScreen

            self.push_screen(ChangePasswordScreen(forced=True))

    def route_home(self) -> None:
        """Customers go to the dashboard; staff to `screens.staff.home.StaffHomeScreen`."""
        if not self.actor.is_staff:
            from screens.dashboard import DashboardScreen

            self.push_screen(DashboardScreen())
            return
        screen = self.optional_screen("screens.staff.home", "StaffHomeScreen")
        if screen is None:
            from screens.notice import NoticeScreen

            screen = NoticeScreen(
                "Staff tools are not installed", "Sign out with Ctrl+L and sign in as a customer."
            )
        self.push_screen(screen)

    def sign_out(self) -> None:
        """Forget the signed-in user and return to the sign-in screen (which clears itself)."""
        self.signed_in = None
        self.locked = False
        self.sub_title = ""
        while len(self.screen_stack) > 2:
            self.pop_screen()

    # -- optional screens owned by other modules ------------------------------------------

    def optional_screen(self, module: str, name: str, *args: Any) -> Screen[Any] | None:
        """`module.name(*args)`, or None when that module is not installed yet."""
        try:
            found = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module.startswith(exc.name):
                return None
            raise
        factory = getattr(found, name, None)
        return None if factory is None else factory(*args)

    def open_optional_screen(self, module: str, name: str, *args: Any, label: str) -> None:
        screen = self.optional_screen(module, name, *args)
        if screen is None:
            self.notify(f"{label} are not available yet.", severity="warning")
            return
        self.push_screen(screen)

    # -- help and commands ----------------------------------------------------------------

    def action_help(self) -> None:
        from screens.modals.help import HelpModal

        if isinstance(self.screen, HelpModal):
            return
        self.push_screen(HelpModal.for_screen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette lists the current screen's own actions, then Textual's."""
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if active.node is screen and binding.description and active.enabled:
                yield SystemCommand(
                    binding.description,
                    f"{binding.description} ({key})",
                    lambda action=binding.action: screen.run_action(action),  # type: ignore[misc]
                )
        yield from super().get_system_commands(screen)

    # -- idle lock ------------------------------------------------------------------------

    def touch(self) -> None:
        self.last_activity = self.idle_clock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.touch()
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        """Cover the screen with the lock modal after `idle_seconds` without input."""
        if self.signed_in is None or self.locked:
            return
        if self.idle_clock() - self.last_activity >= self.idle_seconds:
            self.lock_screen()

    def lock_screen(self) -> None:
        from screens.modals.idle_lock import IdleLockModal

        self.locked = True

        def unlocked(ok: bool | None) -> None:
            self.locked = False
            self.touch()
            if not ok:
                self.sign_out()

        self.push_screen(IdleLockModal(), unlocked)


def make_app(
    bank: Bank, *, idle_seconds: float = 300, idle_clock: Callable[[], float] = time.monotonic
) -> BankApp:
    """The one way to build the UI: used by `run_app` and by every UI test."""
    return BankApp(bank, idle_seconds=idle_seconds, idle_clock=idle_clock)


def run_app(bank: Bank) -> int:
    """Run the UI on this terminal until the user quits; the exit code for the CLI."""
    app = make_app(bank)
    try:
        result = app.run()
    finally:
        bank.close()
    return int(result or 0)
