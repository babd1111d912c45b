"""Sign-in throttling and lockout (NIST SP 800-63B 5.2.2, OWASP Authentication Cheat Sheet).

Every attempt to prove who one is — a password at sign-in, a second-factor code, the old
password when changing it, the password that unlocks an idle session — is counted against
the name it was made for, in the database, *before* the answer is checked: `begin_attempt`
refuses while the name is locked or must wait, and otherwise counts the attempt as a failure
in the same atomic step. A success then clears the count. So a burst of N parallel wrong
guesses counts N, and at most `lockout_after` answers are ever checked before the lock.

Names that belong to no user are throttled exactly like real ones, so the answers reveal
nothing about who exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from bankapp.domain.validation import clean_username
from bankapp.errors import AccountLocked, LoginThrottled, ValidationFailed
from bankapp.settings import Settings
from bankapp.storage.database import Tx
from bankapp.storage.models import SignInThrottle

_throttle = SignInThrottle


def throttle_name(typed: object) -> str:
    """The key an attempt is counted under: the username as the bank would spell it, or,
    for text that cannot be a username, a digest of it (still counted, never stored)."""
    text = typed if isinstance(typed, str) else ""
    try:
        return clean_username(text[:64])
    except ValidationFailed:
        digest = hashlib.sha256(text.strip().lower().encode("utf-8", "surrogatepass"))
        return "?" + digest.hexdigest()[:40]


@dataclass(frozen=True)
class Attempt:
    """A counted attempt: `failures` includes this one; `locked_until` is set when it
    reached the lockout (its answer is still checked, and a right answer clears the lock)."""

    name: str
    failures: int
    locked_until: datetime | None
    at: datetime
    failed_before: datetime | None


def throttle_delay(settings: Settings, failures: int) -> timedelta:
    return settings.throttle_base * (1 << max(0, failures - settings.throttle_after))


def begin_attempt(tx: Tx, settings: Settings, name: str) -> Attempt:
    """Refuse while `name` is locked or must wait; otherwise count this attempt as a failure
    and return the count. Must run in a write transaction: the row is locked (PostgreSQL
    `FOR UPDATE`, SQLite's write lock) from the read to the update."""
    _ensure_row(tx, name)
    row = tx.conn.execute(select(_throttle).where(_throttle.c.name == name).with_for_update()).one()
    failures, locked_until = row.failures, row.locked_until
    if locked_until is not None and locked_until > tx.now:
        raise AccountLocked(locked_until)
    if locked_until is not None:  # an earlier lock ran out: start again
        failures, locked_until = 0, None
    if failures >= settings.throttle_after and row.last_failed_at is not None:
        ready_at = row.last_failed_at + throttle_delay(settings, failures)
        if ready_at > tx.now:
            raise LoginThrottled(max(1, int((ready_at - tx.now).total_seconds() + 0.999)))
    failures += 1
    if failures >= settings.lockout_after:
        locked_until = tx.now + settings.lockout_period
    tx.conn.execute(
        update(_throttle)
        .where(_throttle.c.name == name)
        .values(failures=failures, last_failed_at=tx.now, locked_until=locked_until)
    )
    return Attempt(name, failures, locked_until, tx.now, row.last_failed_at)


def attempt_succeeded(tx: Tx, name: str) -> None:
    """The answer was right and the user is now proven: the count starts again."""
    clear(tx, name)


def attempt_withdrawn(tx: Tx, attempt: Attempt) -> None:
    """The answer was right but the sign-in still owes a step (the second factor): this one
    attempt no longer counts, but earlier failures still do, so knowing the password buys
    no extra guesses at the code."""
    tx.conn.execute(
        update(_throttle)
        .where(
            _throttle.c.name == attempt.name,
            _throttle.c.failures > 0,
            _throttle.c.last_failed_at == attempt.at,
        )
        .values(
            failures=_throttle.c.failures - 1,
            last_failed_at=attempt.failed_before,
            locked_until=None,
        )
    )


def clear(tx: Tx, name: str) -> None:
    tx.conn.execute(
        update(_throttle)
        .where(_throttle.c.name == name)
        .values(failures=0, last_failed_at=None, locked_until=None)
    )


def locked_until(tx: Tx, name: str) -> datetime | None:
    value = tx.conn.execute(
        select(_throttle.c.locked_until).where(_throttle.c.name == name)
    ).scalar_one_or_none()
    return value if isinstance(value, datetime) and value > tx.now else None


def _ensure_row(tx: Tx, name: str) -> None:
    """Insert the name's row unless it exists (a no-op conflict on both databases)."""
    values = {"name": name, "failures": 0}
    if tx.conn.dialect.name == "postgresql":
        tx.conn.execute(postgresql.insert(_throttle).values(values).on_conflict_do_nothing())
    else:
        tx.conn.execute(sqlite.insert(_throttle).values(values).on_conflict_do_nothing())
