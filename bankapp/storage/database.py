"""Transactions: run a unit of work in one database transaction, retrying transient conflicts."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine, Executable
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bankapp.clock import Clock
from bankapp.errors import (
    AppendOnly,
    DatabaseBusy,
    DatabaseUnavailable,
    NotADatabase,
    StorageError,
    ValidationFailed,
)
from bankapp.storage.bulk_rows import execute_rows
from bankapp.storage.engine import WRITE_OPTION

if TYPE_CHECKING:
    from bankapp.storage.keyring import KeyRing

T = TypeVar("T")

MAX_ATTEMPTS = 8
SQLITE_LOCK_ATTEMPTS = 3
# PostgreSQL: serialization failure, deadlock, unique violation (a concurrent duplicate
# idempotency key: the retry then finds the first request's result).
_RETRY_SQLSTATES = {"40001", "40P01", "23505"}


@dataclass(frozen=True)
class Tx:
    """What a unit of work sees: one connection inside an open transaction, and the time.

    A read transaction may not write; what it must record anyway (a session's last-seen
    time) goes in `after_read`, which runs as its own short write once the read is done."""

    conn: Connection
    now: datetime
    writable: bool = True
    after_read: list[Callable[[Tx], None]] = field(default_factory=list)
    keys: KeyRing | None = None


def conditional_updates(
    tx: Tx, statement: Executable, params: Sequence[Mapping[str, object]], problem: str
) -> None:
    """A conditional UPDATE for each parameter set, each of which must match exactly one row
    (it changed meanwhile otherwise, and the transaction fails with `problem`). One round trip
    where the driver counts the rows of a batch, one per set where it cannot."""
    if not params:
        return
    if tx.conn.dialect.supports_sane_multi_rowcount:
        if execute_rows(tx.conn, statement, params) != len(params):  # type: ignore[arg-type]
            raise RuntimeError(problem)
        return
    for one in params:
        if tx.conn.execute(statement, dict(one)).rowcount != 1:
            raise RuntimeError(problem)


class Database:
    """Runs units of work. Each `write` is one transaction: all of it commits, or none does."""

    def __init__(self, engine: Engine, clock: Clock, keys: KeyRing | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.keys = keys
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        self.retries = 0
        # Run first in every transaction (the service layer brings its settings up to date).
        self.on_begin: Callable[[Connection], None] | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def write(self, work: Callable[[Tx], T]) -> T:
        return self._run(self._writer, work, writable=True)

    def read(self, work: Callable[[Tx], T]) -> T:
        deferred: list[Callable[[Tx], None]] = []

        def reading(tx: Tx) -> T:
            deferred.clear()  # a retried read starts again
            result = work(tx)
            deferred.extend(tx.after_read)
            return result

        result = self._run(self.engine, reading, writable=False)
        if deferred:

            def after(tx: Tx) -> None:
                for step in deferred:
                    step(tx)

            self.write(after)
        return result

    def _run(self, engine: Engine, work: Callable[[Tx], T], *, writable: bool) -> T:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with engine.begin() as conn:
                    if self.on_begin is not None:
                        self.on_begin(conn)
                    return work(Tx(conn, self.clock.now(), writable, keys=self.keys))
            except DBAPIError as exc:
                if attempt < _attempts_for(exc) and _is_transient(exc):
                    self.retries += 1
                    time.sleep(min(0.5, 0.005 * 2**attempt) * random.uniform(0.5, 1.5))
                    continue
                if "cannot contain nul" in str(exc.orig).lower():  # PostgreSQL text
                    raise ValidationFailed("The text contains a NUL character.") from None
                raise translate_db_error(exc) from exc
            except UnicodeEncodeError:  # a lone surrogate in some text cannot reach the driver
                raise ValidationFailed(
                    "The text contains characters that are not valid; retype it."
                ) from None
        raise DatabaseBusy("The database stayed busy; try again.")  # pragma: no cover

    def dispose(self) -> None:
        self.engine.dispose()


def _attempts_for(exc: DBAPIError) -> int:
    """SQLite already waited the busy timeout before reporting a lock, so a few more tries
    are enough; other conflicts fail fast and are worth more, quicker retries."""
    if isinstance(exc, OperationalError) and _is_sqlite_lock(exc):
        return SQLITE_LOCK_ATTEMPTS
    return MAX_ATTEMPTS


def _is_transient(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError) and _is_sqlite_lock(exc):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    # SQLite reports a concurrent duplicate key as a plain IntegrityError; writers are
    # serialised there, so it can only be the idempotency race, which a retry resolves.
    return isinstance(exc, IntegrityError) and "idempotency_key" in str(exc.orig)


def _is_sqlite_lock(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


# PostgreSQL: connection exceptions (class 08), the server shutting down or starting up,
# or restarting after another backend crashed (57P01-57P03).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def _server_unavailable(exc: DBAPIError, text: str) -> bool:
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    if sqlstate and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
        return True
    return exc.connection_invalidated or any(
        words in text
        for words in (
            "connection",
            "could not connect",
            "server closed",
            "terminating",
            "starting up",
            "shutting down",
            "recovery mode",
        )
    )


def translate_db_error(exc: DBAPIError) -> StorageError:
    """Turn a driver error into a typed error with a message a person can act on."""
    text = str(exc.orig).lower()
    if "is append-only" in text:
        return AppendOnly(
            "That record is part of the books or the audit trail and cannot be changed or "
            "removed; a correction is a new entry."
        )
    if _is_sqlite_lock(exc) or getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return DatabaseBusy(
            "The database is busy (another workstation holds it); try again in a moment."
        )
    if "file is not a database" in text or "malformed" in text:
        return NotADatabase("The database file is damaged or is not a bankapp database.")
    if "readonly" in text or "read-only" in text:
        return DatabaseUnavailable("The database is read-only; bankapp cannot write to it.")
    if "disk is full" in text or "no space" in text:
        return DatabaseUnavailable("The disk is full; nothing was saved. Free some space.")
    if "disk i/o error" in text:
        return DatabaseUnavailable(
            "The database could not be written (disk full or failing); nothing was saved."
        )
    if "unable to open" in text:
        return DatabaseUnavailable("The database file cannot be opened.")
    if _server_unavailable(exc, text):
        return DatabaseUnavailable(
            "The database server is unavailable (stopped, restarting or unreachable); "
            "try again in a moment. Sending the same form again never does it twice."
        )
    return DatabaseUnavailable(f"Database error: {exc.orig}")
