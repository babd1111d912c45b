"""`Session`: what a screen may read from the app it runs in — the bank, who is signed in,
whether the screen is locked, and money in the bank's currency."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from textual.app import App

from bankapp.domain.types import Actor, LoginResult

if TYPE_CHECKING:
    from bankapp.bank import Bank
    from screens.opening import BankOpening


class SignedOut(RuntimeError):
    """Nobody is signed in (any more): a screen's call in a worker met the user's sign-out.
    The sign-in screen is already up, so there is nothing to say and no incident."""


class Session(Protocol):
    """Read-only: a screen asks the app for changes with a message (`screens.messages`)."""

    @property
    def bank(self) -> Bank:
        """The open bank; only worker threads may ask before the sign-in screen has
        heard `BankOpened` (they wait for it)."""
        ...

    @property
    def opening(self) -> BankOpening: ...

    @property
    def signed_in(self) -> LoginResult | None: ...

    @property
    def locked(self) -> bool: ...

    @property
    def actor(self) -> Actor:
        """The signed-in user; raises SignedOut when nobody is signed in."""
        ...

    def money(self, cents: int, *, plus: bool = False) -> str: ...


def session_of(app: App[object]) -> Session:
    """The running app as a `Session`. Bank screens run only in `screens.app.BankApp`,
    which mypy checks against this protocol where it is defined."""
    return cast(Session, app)
