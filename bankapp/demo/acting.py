"""The demo acts as its users. It is the local operator building a database, so it opens
their sessions directly (no password round trip per simulated day) and ends them all when
the demo is built; a session is renewed whenever the demo's clock has moved on."""

from __future__ import annotations

from datetime import datetime, timedelta

from bankapp.bank import Bank
from bankapp.domain.types import Actor, SessionState, UserView
from bankapp.services.sessions import end_user_sessions, open_session
from bankapp.storage.database import Tx

RENEW_AFTER = timedelta(minutes=1)


def operator_session(bank: Bank, user: UserView) -> Actor:
    """An active session for `user`, opened by the operator building data (the demo, the
    benchmarks); no password, no second factor, not audited."""

    def start(tx: Tx) -> str:
        return open_session(tx, user.id, SessionState.ACTIVE, method="operator")

    return Actor(user.id, user.username, user.role, session=bank.db.write(start))


class DemoActors:
    def __init__(self, bank: Bank) -> None:
        self._bank = bank
        self._users: dict[str, UserView] = {}
        self._open: dict[str, tuple[Actor, datetime]] = {}

    def add(self, user: UserView) -> None:
        self._users[user.username] = user

    def __getitem__(self, username: str) -> Actor:
        now = self._bank.clock.now()
        held = self._open.get(username)
        if held is not None and abs(now - held[1]) < RENEW_AFTER:
            return held[0]
        user = self._users[username]
        self._bank.db.write(lambda tx: end_user_sessions(tx, user.id, "demo day over"))
        actor = operator_session(self._bank, user)
        self._open[username] = (actor, now)
        return actor

    def __contains__(self, username: object) -> bool:
        return username in self._users

    def end_all(self) -> None:
        ids = [user.id for user in self._users.values()]

        def end(tx: Tx) -> None:
            for user_id in ids:
                end_user_sessions(tx, user_id, "demo built")

        self._bank.db.write(end)
        self._open.clear()
