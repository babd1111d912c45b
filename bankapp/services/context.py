"""What every service needs: the database, the live settings and the password hasher; and the
ways a use case runs as someone: `write_as`, `read_as`, and `preview_as` (all of a write's
checks, rolled back)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TypeVar

from bankapp.domain.money import check_cents, format_cents
from bankapp.domain.passwords import PasswordHashing
from bankapp.domain.types import Actor, Caller, SessionState
from bankapp.services.live_settings import LiveSettings
from bankapp.services.sessions import ACTIVE, require_session
from bankapp.settings import Settings
from bankapp.storage.database import Database, Tx

T = TypeVar("T")


class _RolledBack(Exception):
    """Raised inside a preview's transaction so that it rolls back."""


class ServiceContext:
    def __init__(self, db: Database, live: LiveSettings) -> None:
        self.db = db
        self.live = live
        db.on_begin = live.refresh  # every transaction may bring the settings up to date

    @property
    def settings(self) -> Settings:
        """The installation settings now (defaults with the bank's changes)."""
        return self.live.current

    @property
    def hashing(self) -> PasswordHashing:
        return self.live.hashing

    def reload_settings(self) -> None:
        """Read the settings now (after this process changed one): a transaction begins
        with the refresh (`Database.on_begin`)."""
        self.live.expire()
        self.db.read(lambda tx: None)

    def write_as(
        self,
        actor: Actor,
        work: Callable[[Tx, Caller], T],
        *,
        states: Collection[SessionState] = ACTIVE,
    ) -> T:
        """Run `work` in one write transaction as the verified caller behind `actor`: the
        session is checked in that same transaction, so nothing runs for a session that is
        not (still) allowed to make the call."""
        return self.db.write(lambda tx: work(tx, require_session(tx, self.settings, actor, states)))

    def preview_as(self, actor: Actor, work: Callable[[Tx, Caller], T]) -> T:
        """Run `work` exactly as `write_as` would, every rule and check included, and roll
        it all back: what the call would do, with nothing moved, counted or audited. The one
        way to validate before asking for confirmation without a second copy of any rule."""
        found: list[T] = []

        def attempt(tx: Tx, caller: Caller) -> T:
            found.append(work(tx, caller))
            raise _RolledBack

        try:
            self.write_as(actor, attempt)
        except _RolledBack:
            return found[-1]
        raise AssertionError("a preview must roll back")  # pragma: no cover

    def read_as(
        self,
        actor: Actor,
        work: Callable[[Tx, Caller], T],
        *,
        states: Collection[SessionState] = ACTIVE,
        touch: bool = True,
    ) -> T:
        """`write_as` for reads; `touch=False` for a background poll that must not count
        as the user being active."""
        return self.db.read(
            lambda tx: work(tx, require_session(tx, self.settings, actor, states, touch=touch))
        )

    def money(self, cents: int) -> str:
        return format_cents(cents, self.settings.currency)

    def check_amount(
        self, amount: object, *, field: str = "amount", allow_zero: bool = False
    ) -> int:
        """`check_cents` under this installation's currency and per-operation limit."""
        return check_cents(
            amount,
            max_cents=self.settings.max_amount_cents,
            currency=self.settings.currency,
            field=field,
            allow_zero=allow_zero,
        )
