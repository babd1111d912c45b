"""`BankOpening`: the bank the UI talks to, opened off the UI thread.

The sign-in screen paints before the service layer (SQLAlchemy, Alembic, pydantic, argon2)
is imported: the CLI hands the app a way to open the bank, the app opens it in a worker
while the user types, and a service call made meanwhile waits for it in its own worker.
A bank that cannot be opened (no database, an outdated schema, the wrong key) is said on
the sign-in screen, and every service call is refused with the same message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from bankapp.errors import BankError, StorageError
from bankapp.incidents import report_unexpected

if TYPE_CHECKING:
    from bankapp.bank import Bank


class BankNotOpenYet(RuntimeError):
    """The UI thread asked for the bank before it was opened: a screen bug, never a wait."""


class BankOpening:
    """Opens the bank once (`open` in a worker thread); `bank()` waits for it."""

    def __init__(self, opener: Callable[[], Bank]) -> None:
        self._opener: Callable[[], Bank] | None = opener
        self._done = threading.Event()
        self._bank: Bank | None = None
        self._error: BankError | None = None

    @classmethod
    def already_open(cls, bank: Bank) -> BankOpening:
        opening = cls(lambda: bank)
        opening.open()
        return opening

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def error(self) -> BankError | None:
        return self._error

    def open(self) -> None:
        """Open the bank (once). A refusal is kept and raised to every later `bank()`;
        anything unexpected is logged once and becomes a refusal naming its incident."""
        opener, self._opener = self._opener, None
        if opener is None:
            return
        try:
            self._bank = opener()
        except BankError as exc:
            self._error = exc
        except Exception as exc:
            self._error = StorageError(
                f"The bank could not be opened (incident {report_unexpected(exc)}); "
                "it has been logged. Quote the incident id to the bank."
            )
        finally:
            self._done.set()

    def bank(self) -> Bank:
        """The open bank; a worker thread waits for it, the UI thread never does."""
        if not self._done.is_set():
            if threading.current_thread() is threading.main_thread():
                raise BankNotOpenYet("the bank is still being opened")
            self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._bank is not None
        return self._bank

    def close(self) -> None:
        if self._bank is not None:
            self._bank.close()
