"""The settings this process runs with: the defaults in code (`bankapp.settings`) with what the
bank changed (`bank_settings`), so every workstation of a branch agrees. Re-read when another
workstation's change shows in the table's revision mark, looked at no more than every
`interval_ms` milliseconds and always inside a transaction the process opens anyway (no extra round
trip on a busy path, no second connection)."""

from __future__ import annotations

import json
import threading
import time

from sqlalchemy import Connection, func, select

from bankapp.domain.passwords import PasswordHashing
from bankapp.domain.setting_catalogue import Raw, with_values
from bankapp.settings import Settings
from bankapp.storage.models import BankSetting

_rows = BankSetting
REFRESH_MS = 2_000


def stored_values(conn: Connection) -> dict[str, Raw]:
    return {row.name: json.loads(row.value) for row in conn.execute(select(_rows))}


def settings_now(conn: Connection, defaults: Settings) -> Settings:
    """The settings in force: `defaults` with every value stored in the database."""
    return with_values(defaults, stored_values(conn))


def revision_mark(conn: Connection) -> tuple[int, int]:
    """Changes only when a setting does: rows are never deleted and each change adds one to a
    row's revision (a new row starts at 1)."""
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(_rows.c.revision), 0))
    ).one()
    return int(count), int(total)


class LiveSettings:
    def __init__(self, defaults: Settings, *, interval_ms: int = REFRESH_MS) -> None:
        self.defaults = defaults
        self.interval_ms = interval_ms
        self.current = defaults
        self.hashing = PasswordHashing(defaults.hash_parameters)
        self._mark: tuple[int, int] | None = None
        self._checked_ms: int | None = None  # never: the first transaction reads the table
        self._lock = threading.Lock()

    def refresh(self, conn: Connection) -> None:
        """Bring `current` up to date if the interval has passed (called as a transaction
        begins: `Database.on_begin`)."""
        now, checked = time.monotonic_ns() // 1_000_000, self._checked_ms
        if checked is not None and now - checked < self.interval_ms:
            return
        mark = revision_mark(conn)
        if mark != self._mark:
            updated = settings_now(conn, self.defaults)
            with self._lock:
                if updated.hash_parameters != self.current.hash_parameters:
                    self.hashing = PasswordHashing(updated.hash_parameters)
                self.current = updated
                self._mark = mark
        self._checked_ms = now

    def expire(self) -> None:
        """Read the table at the next transaction (after this process changed a setting)."""
        self._checked_ms = None
