"""`BankApp`, the one composition root of the UI (`make_app`), and `run_app` for the CLI.

Screens see the app only as a `screens.session.Session` and ask it for changes with the
messages in `screens.messages` (signed in, sign out, lock, profile saved).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import get_current_worker

from bankapp.domain.money import format_cents
from bankapp.domain.types import Actor, LoginResult, UserView
from bankapp.domain.validation import without_controls
from bankapp.errors import BankError
from bankapp.storage.locations import data_home
from bankapp.storage.private_files import FILE_MODE, private_folder
from screens.base import BankScreen
from screens.keymap import KeymapApp
from screens.login import LoginScreen
from screens.messages import (
    BankChanged,
    BankOpened,
    DrawerChanged,
    LeaveRequested,
    LockRequested,
    ProfileSaved,
    SignedIn,
    SignOutRequested,
)
from screens.modals.confirm import ConfirmModal
from screens.modals.help import HelpModal
from screens.modals.idle_lock import IdleLockModal
from screens.opening import BankOpening
from screens.paste import install_clean_paste_parser
from screens.session import SignedOut

if TYPE_CHECKING:
    from bankapp.bank import Bank
    from bankapp.services.drawers import DrawerView
    from screens.session import Session


class QuitQuestion(ConfirmModal):
    """Quit with something typed in a form?"""


MAX_HOPS = 12
"""How many rounds of messages an Enter may take to move the focus (field, form, screen)."""
HOLD_KEYS_SECONDS = 0.5
# How often a signed-in app asks the bank whether what its user sees changed (on another
# workstation, or by a batch); 0: never (the UI tests, unless a test asks).
REFRESH_SECONDS = 3.0


def signed_in_as(user: UserView, drawer: str = "") -> str:
    """The header's sub-title while `user` is signed in; a teller's open drawer takes the
    place of the role, so that it fits at 80 columns."""
    return f"{user.full_name} ({user.username}) · {drawer or user.role.value}"


class BankApp(KeymapApp):
    """The bank's terminal UI: sign-in first, then the customer's or the staff's home.

    `KeymapApp` adds the global keys, the palette's commands and the user's settings.
    """

    CSS_PATH = "app.tcss"
    # Classes each screen gets for the terminal's size, so a stylesheet can fit 80x24
    # (`.-narrow`, `.-short`) without changing what wider and taller terminals show.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (as Textual types it)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("ctrl+z", "suspend_process", "Suspend to the shell", show=False, id="suspend"),
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help-question"),
    ]

    def __init__(
        self,
        opening: BankOpening,
        *,
        idle_seconds: float = 300,
        idle_clock: Callable[[], float] = time.monotonic,
        refresh_seconds: float | None = None,
    ) -> None:
        super().__init__()
        self.opening = opening
        self.refresh_seconds = REFRESH_SECONDS if refresh_seconds is None else refresh_seconds
        self.change_mark: str | None = None  # the bank's mark of what the user saw last
        self.title = self.bank.settings.bank_name if opening.done and not opening.error else ""
        self.idle_seconds = idle_seconds
        self.idle_clock = idle_clock
        self.last_activity = idle_clock()
        self.signed_in: LoginResult | None = None
        self.locked = False
        self.drawer_summary = ""  # the teller's open drawer, for the header

    # -- the bank, opened while the sign-in screen is already shown -------------------------

    @property
    def bank(self) -> Bank:
        """The open bank: a worker waits until it is open; the UI thread must not ask
        before the sign-in screen has heard `BankOpened`."""
        return self.opening.bank()

    def _open_bank(self) -> None:
        """In a worker: open the bank, then load the other screens before they are needed,
        so the first screen after sign-in does not wait for its imports."""
        self.opening.open()
        self.call_from_thread(self._bank_opened)
        import screens.all_screens  # noqa: F401

    def _bank_opened(self) -> None:
        if self.opening.error is None:
            self.title = self.bank.settings.bank_name
        for screen in self.screen_stack:
            screen.post_message(BankOpened(self.opening.error))

    # -- who is signed in -----------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        if self.signed_in is None:
            raise SignedOut("nobody is signed in")
        return self.signed_in.actor

    def money(self, cents: int, *, plus: bool = False) -> str:
        return format_cents(cents, self.bank.settings.currency, plus=plus)

    def on_mount(self) -> None:
        self.push_screen(LoginScreen())
        if not self.opening.done:
            self.run_worker(self._open_bank, thread=True, group="open-bank", exit_on_error=False)
        self.set_interval(1.0, self.check_idle_lock, name="idle-check")
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.poll_changes, name="change-poll")

    def poll_changes(self) -> None:
        """Ask the bank, off the UI thread, whether what the user sees has changed; if so,
        the screen on top reloads and says what changed (`BankChanged`)."""
        if self.signed_in is None or self.locked:
            return
        actor, bank = self.actor, self.bank

        def fetch() -> None:
            try:
                mark = bank.changes.mark(actor)
            except BankError:
                return  # the session ended or the bank is down: other calls say so
            if not get_current_worker().is_cancelled:
                self.call_from_thread(self._mark_seen, actor, mark)

        self.run_worker(
            fetch, thread=True, group="change-poll", exclusive=True, exit_on_error=False
        )

    def _mark_seen(self, actor: Actor, mark: str) -> None:
        if self.signed_in is None or self.signed_in.actor != actor:
            return  # signed out (or in as someone else) meanwhile
        before, self.change_mark = self.change_mark, mark
        if before is not None and before != mark and not self.locked:
            self.screen.post_message(BankChanged())

    def on_signed_in(self, message: SignedIn) -> None:
        """Show the sign-in's next step; once the session is active, the home screen. The
        home screen (and with it every command) is reached only by an active session."""
        from screens.change_password import ChangePasswordScreen
        from screens.staff.totp import SecondFactorScreen

        result = message.result
        if result.second_factor_required or result.totp_enrolment_required:
            self.push_screen(SecondFactorScreen(result))
            return
        if result.must_change_password:
            self.push_screen(ChangePasswordScreen(pending=result))
            return
        if not result.signed_in:
            self.sign_out("That sign-in cannot go on; sign in again.")
            return
        self._back_to_sign_in()
        self.signed_in = result
        self.change_mark = None
        self.touch()
        self.sub_title = signed_in_as(result.user)
        self.route_home()

    def route_home(self) -> None:
        """Customers go to the dashboard; staff to the staff home."""
        from screens.dashboard import DashboardScreen
        from screens.staff.home import StaffHomeScreen

        self.push_screen(StaffHomeScreen() if self.actor.is_staff else DashboardScreen())

    def on_profile_saved(self, message: ProfileSaved) -> None:
        self.sub_title = signed_in_as(message.user, self.drawer_summary)

    def on_drawer_changed(self, message: DrawerChanged) -> None:
        """The teller's drawer in the header: as the screen just read it, or asked of the
        bank off the UI thread."""
        if self.signed_in is None or not self.actor.is_staff:
            return
        actor, bank, user = self.actor, self.bank, self.signed_in.user
        if message.read:
            self.workers.cancel_group(self, "drawer-header")  # older than what we have
            self._show_drawer(user, message.drawer)
            return

        def fetch() -> None:
            try:
                drawer = bank.drawers.current(actor)
            except BankError:
                return  # the session ended meanwhile: the sign-out says so
            if not get_current_worker().is_cancelled:
                self.call_from_thread(self._show_drawer, user, drawer)

        self.run_worker(
            fetch, thread=True, group="drawer-header", exclusive=True, exit_on_error=False
        )

    def _show_drawer(self, user: UserView, drawer: DrawerView | None) -> None:
        if drawer is None:
            summary = ""
        elif drawer.status == "closing":
            summary = f"drawer {drawer.id} waits to close"
        else:
            summary = f"drawer {drawer.id} {self.money(drawer.cash_on_hand)}"
        if self.signed_in is not None and self.signed_in.user.id == user.id:
            self.drawer_summary = summary
            self.sub_title = signed_in_as(user, summary)

    def on_sign_out_requested(self, message: SignOutRequested) -> None:
        self.sign_out(message.reason)

    def sign_out(self, reason: str = "") -> None:
        """End the session at the bank, forget the user and return to the sign-in screen
        (which clears itself); `reason`, when the bank ended it, is said there."""
        if self.signed_in is not None:
            self.end_session_at_the_bank(self.signed_in.actor)
        self.signed_in = None
        self.change_mark = None
        self.locked = False
        self.drawer_summary = ""
        self.sub_title = ""
        self._back_to_sign_in()
        if reason:
            self.notify(reason, title="Signed out", severity="warning", markup=False)

    def end_session_at_the_bank(self, actor: Actor) -> None:
        """Sign `actor` out at the bank, off the UI thread; an already ended session is
        fine."""
        bank = self.bank

        def sign_out() -> None:
            with contextlib.suppress(BankError):
                bank.auth.sign_out(actor)

        self.run_worker(sign_out, thread=True, group="sign-out", exit_on_error=False)

    def _back_to_sign_in(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    # -- leaving a form, quitting ---------------------------------------------------------

    def on_leave_requested(self, message: LeaveRequested) -> None:
        self._ask_before_losing(ConfirmModal, "Leave", message.form, message.leave)

    async def action_quit(self) -> None:
        """Quit, asking first when a form holds something typed (on any screen of the
        stack); Ctrl+Q again on that question quits."""
        forms = [
            screen.title or "a form"
            for screen in self.screen_stack
            if isinstance(screen, BankScreen) and screen.typed_in_form()
        ]
        if not forms or isinstance(self.screen, QuitQuestion):
            self.exit()
            return
        self._ask_before_losing(QuitQuestion, "Quit", ", ".join(forms), self.exit)

    def _ask_before_losing(
        self, question: type[ConfirmModal], verb: str, forms: str, then: Callable[[], object]
    ) -> None:
        """Ask whether to `verb` and lose what was typed in `forms`; Keep editing is the
        default answer, and only the other runs `then`."""

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push_screen(
            question(
                f"{verb} without saving?",
                [("", f"What you typed in {forms} will be lost.")],
                confirm=verb,
                cancel="Keep editing",
                default_cancel=True,
            ),
            answered,
        )

    # -- help and commands ----------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpModal):
            return
        self.push_screen(HelpModal.for_screen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette: the current screen's own actions, then the app's, each once. Textual's
        own list is not offered: it repeats ours (quit, theme, keys), and its screenshot
        wrote to a Downloads folder that may not exist."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            described = binding.description
            if active.node is screen and described and active.enabled and described not in seen:
                seen.add(described)
                yield SystemCommand(
                    described,
                    f"{described} ({key})",
                    lambda action=binding.action: screen.run_action(action),
                )
        app_commands = (
            ("Help", "Keys and what this screen is for (F1)", self.action_help),
            ("Theme", "Change the colours (F9)", self.action_change_theme),
            ("Screenshot", "Save a picture of this screen in the data folder", self.screenshot),
            ("Quit", "Quit bankapp (Ctrl+Q)", self.action_quit),
        )
        for title, help_text, callback in app_commands:
            if title not in seen:
                yield SystemCommand(title, help_text, callback)

    def screenshot(self) -> None:
        """An SVG of the screen in the data folder's screenshots/ (0600), and where it went."""
        folder = private_folder(data_home() / "screenshots")
        name = f"bankapp-{time.strftime('%Y%m%d-%H%M%S')}.svg"
        path = Path(self.save_screenshot(name, str(folder)))
        path.chmod(FILE_MODE)
        self.notify(f"Saved a picture of this screen to {path}", title="Screenshot", markup=False)

    # -- idle lock ------------------------------------------------------------------------

    def touch(self) -> None:
        self.last_activity = self.idle_clock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.touch()
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = without_controls(event.text)  # before any widget sees it
        if isinstance(event, events.Key) and event.key == "enter" and not event.is_forwarded:
            field = self.focused
            if isinstance(field, Input):
                await self._submit_in_order(field)
                return
        await super().on_event(event)

    async def _submit_in_order(self, field: Input) -> None:
        """Enter in a field: submit it here, then hold the keys that follow until the form
        has handled the submission (its handler moves the focus or posts). Left to Textual,
        the Enter goes to the field and back, and keys typed meanwhile (fast typing, a slow
        link, a scanner) land in the field just left. Bounded, so a handler that waits on
        the app itself cannot hold the keys for long."""
        await field.action_submit()
        screen = self.screen
        for _ in range(MAX_HOPS):
            waits: list[Coroutine[Any, Any, object]] = []
            for node in screen.walk_children(with_self=True):
                if node._message_queue.qsize():  # Textual has no public probe for this
                    done = asyncio.Event()
                    if node.call_later(done.set):
                        waits.append(done.wait())
            if not waits:
                return
            try:
                await asyncio.wait_for(asyncio.gather(*waits), timeout=HOLD_KEYS_SECONDS)
            except TimeoutError:
                return

    # -- pasting: the text without control sequences, whatever widget takes it ------------

    @property
    def clipboard(self) -> str:
        """The app's own clipboard (Ctrl+V in a field), without control sequences."""
        return without_controls(super().clipboard)

    def get_driver_class(self) -> type[Driver]:
        """The platform's driver, reading the terminal through the paste-cleaning parser."""
        install_clean_paste_parser()
        return super().get_driver_class()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lock_now":
            return self.signed_in is not None and not self.locked
        return super().check_action(action, parameters)

    def check_idle_lock(self) -> None:
        """Cover the screen with the lock modal after `idle_seconds` without input."""
        if self.signed_in is None or self.locked:
            return
        if self.idle_clock() - self.last_activity >= self.idle_seconds:
            self.lock_screen()

    def on_lock_requested(self, message: LockRequested) -> None:
        if self.signed_in is not None and not self.locked:
            self.lock_screen(tell_bank=not message.by_bank)

    def lock_screen(self, *, tell_bank: bool = True) -> None:
        """Cover the screen until the password unlocks the session; the bank locks the
        session too, so nothing acts for it meanwhile, whatever this screen does."""
        self.locked = True
        if tell_bank and self.signed_in is not None:
            bank, actor = self.bank, self.signed_in.actor

            def lock() -> None:
                with contextlib.suppress(BankError):
                    bank.auth.lock(actor)

            self.run_worker(lock, thread=True, group="lock", exit_on_error=False)

        def unlocked(ok: bool | None) -> None:
            self.locked = False
            self.touch()
            if not ok:
                self.sign_out()

        self.push_screen(IdleLockModal(), unlocked)


if TYPE_CHECKING:
    _screens_see_the_app_as: type[Session] = BankApp  # mypy checks BankApp is a Session


def make_app(
    bank: Bank | Callable[[], Bank],
    *,
    idle_seconds: float = 300,
    idle_clock: Callable[[], float] = time.monotonic,
    refresh_seconds: float | None = None,
) -> BankApp:
    """The one way to build the UI: used by `run_app` and by every UI test. `bank` is an
    open bank, or a function that opens it (called in a worker once the sign-in screen
    is shown)."""
    opening = BankOpening(bank) if callable(bank) else BankOpening.already_open(bank)
    return BankApp(
        opening, idle_seconds=idle_seconds, idle_clock=idle_clock, refresh_seconds=refresh_seconds
    )


def run_app(open_bank: Callable[[], Bank]) -> int:
    """Run the UI on this terminal until the user quits; the exit code for the CLI."""
    app = make_app(open_bank)
    try:
        result = app.run()
    finally:
        app.opening.close()
    return int(result or 0)
