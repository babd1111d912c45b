"""App-wide messages: a screen posts one and `BankApp` acts on it (screens never call the
App's methods)."""

from __future__ import annotations

from textual.message import Message

from bankapp.domain.types import LoginResult, UserView


class SignedIn(Message):
    """The password (and the second factor, when asked for) was accepted."""

    def __init__(self, result: LoginResult) -> None:
        super().__init__()
        self.result = result


class SignOutRequested(Message):
    """The user asked to sign out (the app returns to the sign-in screen)."""


class LockRequested(Message):
    """The user asked to cover the screen until the password is typed again."""


class ProfileSaved(Message):
    """The signed-in user's profile was saved; the header shows the new name."""

    def __init__(self, user: UserView) -> None:
        super().__init__()
        self.user = user
