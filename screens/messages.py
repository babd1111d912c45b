"""App-wide messages: a screen posts one and `BankApp` acts on it (screens never call the
App's methods)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from bankapp.domain.types import LoginResult, UserView
from bankapp.errors import BankError

if TYPE_CHECKING:
    from bankapp.services.drawers import DrawerView


class BankOpened(Message):
    """The bank the UI talks to is open, or could not be opened (`error` says why); sent
    to the screens already shown while it opened (sign-in, registration)."""

    bubble = False

    def __init__(self, error: BankError | None) -> None:
        super().__init__()
        self.error = error


class SignedIn(Message):
    """A step of signing in finished (password, code, password change, enrolment): the
    result says where the sign-in stands; the app shows the next step, or the home screen
    once the session is active."""

    def __init__(self, result: LoginResult) -> None:
        super().__init__()
        self.result = result


class SignOutRequested(Message):
    """Sign out (the app returns to the sign-in screen); `reason`, when the bank ended the
    session, is shown there."""

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason


class BankChanged(Message):
    """Something the signed-in user may see changed at the bank (on another workstation, or
    by a batch): the screen on top reloads what it shows and says what changed."""


class LockRequested(Message):
    """Cover the screen until the password is typed again; `by_bank` when the bank already
    refused the session as idle (so there is nothing to tell it)."""

    def __init__(self, *, by_bank: bool = False) -> None:
        super().__init__()
        self.by_bank = by_bank


class ProfileSaved(Message):
    """The signed-in user's profile was saved; the header shows the new name."""

    def __init__(self, user: UserView) -> None:
        super().__init__()
        self.user = user


class DrawerChanged(Message):
    """The signed-in teller's drawer may have changed (opened, closed, cash in or out): the
    app shows its state again in the header. A screen that has just read the drawer passes
    it with `read=True` (None: no open drawer); otherwise the app asks the bank."""

    def __init__(self, drawer: DrawerView | None = None, *, read: bool = False) -> None:
        super().__init__()
        self.drawer = drawer
        self.read = read


class LeaveRequested(Message):
    """Leaving `form` would lose what was typed in it: the app asks, and calls `leave` only
    if the user agrees (the question keeps the form by default)."""

    def __init__(self, form: str, leave: Callable[[], object]) -> None:
        super().__init__()
        self.form = form
        self.leave = leave
