"""`BankScreen`: the base of every screen — service calls in worker threads, errors in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from bankapp.domain.types import Actor
from bankapp.errors import BankError, SessionEnded, SessionInvalid, SessionLocked
from bankapp.incidents import report_unexpected
from screens.messages import BankChanged, LeaveRequested, LockRequested, SignOutRequested
from screens.session import Session, SignedOut, session_of

T = TypeVar("T")

if TYPE_CHECKING:
    from bankapp.bank import Bank

    # The mixin is for screens and modals only. At run time it stays a plain class: Textual
    # follows the first DOMNode base for CSS, so a Screen base here would skip ModalScreen's.
    _ScreenPart = Screen[Any]
else:
    _ScreenPart = object


def incident_message(incident: str) -> str:
    return (
        f"Something went wrong on our side (incident {incident}). It has been logged; "
        "try again, or quote the incident id to the bank."
    )


class ServiceReplied(Message, Generic[T]):
    """A service call finished in a worker; `then(result)` runs on the UI thread."""

    def __init__(self, then: Callable[[T], object], result: T, busy: Widget | None = None) -> None:
        super().__init__()
        self.then = then
        self.result = result
        self.busy = busy


class ServiceRefused(Message):
    """A service call raised a typed BankError, or failed unexpectedly (an incident id)."""

    def __init__(
        self,
        error: BankError | None,
        incident: str | None,
        on_error: Callable[[BankError], None] | None,
        busy: Widget | None = None,
    ) -> None:
        super().__init__()
        self.error = error
        self.incident = incident
        self.on_error = on_error
        self.busy = busy


class ServiceCalls(_ScreenPart):
    """Mixin for screens and modals: `call_service(call, then)` runs `call()` in a thread
    worker that only posts a message; `then(result)` runs on the UI thread. A `BankError`
    goes to `on_error` or is shown in place by `show_error` (beside the field named by
    `error.field`, a `Static#<field>-error`), else as a notification; anything unexpected
    is logged and only its incident id is shown. The app is reached only as a `Session`."""

    @property
    def session(self) -> Session:
        return session_of(self.app)

    @property
    def bank(self) -> Bank:
        return self.session.bank

    @property
    def actor(self) -> Actor:
        return self.session.actor

    def money(self, cents: int, *, plus: bool = False) -> str:
        return self.session.money(cents, plus=plus)

    # -- service calls --------------------------------------------------------------------

    def call_service(
        self,
        call: Callable[[], T],
        then: Callable[[T], object],
        *,
        group: str = "service",
        on_error: Callable[[BankError], None] | None = None,
        exclusive: bool = True,
        busy: Widget | None = None,
    ) -> Worker[None]:
        """Run `call` in a thread. With `exclusive`, a newer call in the group cancels the
        older one's reply (a stale load); posts of money pass False and rely on their key.
        `busy` shows a loading indicator over that widget until the reply (or the refusal,
        or the incident) is handled; a stale reply leaves it to the newer call."""
        if busy is not None:
            busy.loading = True

        def in_worker() -> None:
            worker = get_current_worker()
            try:
                result = call()
            except BankError as exc:
                if not worker.is_cancelled:
                    self.post_message(ServiceRefused(exc, None, on_error, busy))
                return
            except SignedOut:
                return  # a reload the sign-out uncovered: the sign-in screen is up already
            except Exception as exc:  # never a traceback on the user's screen
                self.post_message(ServiceRefused(None, report_unexpected(exc), on_error, busy))
                return
            if not worker.is_cancelled:
                self.post_message(ServiceReplied(then, result, busy))

        return self.run_worker(
            in_worker,
            name=group,
            group=group,
            thread=True,
            exclusive=exclusive,
            exit_on_error=False,
        )

    def on_service_replied(self, message: ServiceReplied[Any]) -> None:
        message.stop()
        if message.busy is not None:
            message.busy.loading = False
        message.then(message.result)

    def on_service_refused(self, message: ServiceRefused) -> None:
        message.stop()
        if message.busy is not None:
            message.busy.loading = False
        if message.error is None:
            self.notify(
                incident_message(message.incident or "?"),
                title="Unexpected error",
                severity="error",
                markup=False,
                timeout=30,
            )
        elif self._session_refused(message.error):
            return
        elif message.on_error is not None:
            message.on_error(message.error)
        else:
            self.show_error(message.error)

    def _session_refused(self, error: BankError) -> bool:
        """The bank refused the signed-in session itself: locked when idle (the lock screen
        asks for the password), ended (back to the sign-in screen, saying why)."""
        if self.session.signed_in is None:
            return False  # a sign-in step handles its own refusals
        if isinstance(error, SessionLocked):
            self.post_message(LockRequested(by_bank=True))
            return True
        if isinstance(error, SessionEnded | SessionInvalid):
            self.post_message(SignOutRequested(error.message))
            return True
        return False

    # -- errors in place ------------------------------------------------------------------

    def field_error(self, field: str) -> Static | None:
        try:
            return self.query_one(f"#{field.replace('_', '-')}-error", Static)
        except NoMatches:
            return None

    def show_error(self, error: BankError, *, focus: bool = True) -> None:
        """Show a typed error beside its field, or as a notification when it has none. The
        field takes the focus at once, so what is typed next puts it right (keys typed while
        a refusal is on its way land there, not in the field after it)."""
        target = self.field_error(error.field) if error.field else None
        if target is None:
            self.notify(error.message, title="Not done", severity="error", markup=False, timeout=10)
            return
        target.update(Text(error.message))
        target.add_class("-shown")
        if focus and error.field:
            self.focus_field(error.field)

    def focus_field(self, field: str) -> None:
        """Focus the input named `field` (`#<field>`), if this screen has one."""
        try:
            widget = self.query_one(f"#{field.replace('_', '-')}", Widget)
        except NoMatches:
            return
        if widget.focusable and widget.display:
            widget.focus()

    def clear_errors(self) -> None:
        for widget in self.query(".field-error").results(Static):
            widget.update("")
            widget.remove_class("-shown")


class BankScreen(ServiceCalls, Screen[Any]):
    """Every full screen: a header, a footer, Escape goes back, F1 helps (`HELP` says what
    the screen is for). A home screen (`HOME = True`: the customer's dashboard, the staff
    home) is the bottom of the signed-in stack: Escape does nothing there, because going
    back would show the sign-in screen while the user is still signed in (log out is the
    explicit Ctrl+L)."""

    HELP: ClassVar[str] = ""
    HOME: ClassVar[bool] = False
    FORM: ClassVar[bool] = False
    """A form: leaving it (Escape) or quitting with something typed in it asks first."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "go_back", "Back", id="back"),
    ]

    _form_at_rest: dict[Input, str]

    def on_mount(self) -> None:
        # Called after the subclass's own on_mount (Textual calls each class's handler).
        self.remember_form()

    def on_bank_changed(self, message: BankChanged) -> None:
        self.changed_elsewhere()

    def changed_elsewhere(self) -> None:
        """Something this user may see changed at the bank: a screen showing live data
        reloads it here and says what changed (`tell_changed`); others need do nothing."""

    def tell_changed(self, lines: list[str]) -> None:
        if lines:
            self.notify("\n".join(lines), title="Updated", markup=False)

    def remember_form(self) -> None:
        """What the form's fields hold now counts as nothing typed: after the screen has
        filled them in, or after a save that keeps the screen open."""
        self._form_at_rest = {field: field.value for field in self.query(Input).results(Input)}

    def typed_in_form(self) -> bool:
        """Whether leaving now would throw away something the user typed."""
        if not self.FORM:
            return False
        at_rest = getattr(self, "_form_at_rest", {})
        return any(
            field.value != at_rest.get(field, "") for field in self.query(Input).results(Input)
        )

    def leave(self, then: Callable[[], object]) -> None:
        """Run `then` (which leaves the form) at once, or after the user agrees to lose what
        they typed (the app asks: `LeaveRequested`)."""
        if self.typed_in_form():
            self.post_message(LeaveRequested(self.title or "this form", then))
        else:
            then()

    def action_go_back(self) -> None:
        if self.HOME:
            return
        if len(self.app.screen_stack) > 2:
            self.leave(lambda: self.dismiss(None))


def field_error(field: str) -> Static:
    """The place under an input where that field's error appears."""
    return Static("", id=f"{field.replace('_', '-')}-error", classes="field-error")
