"""Server-side sessions: the one place that says who is acting.

Signing in creates a session row holding only the SHA-256 of a random token; the `Actor` a
screen holds carries the token. Every service call verifies it here, inside the call's own
transaction: the session must be in a state that call accepts (for almost every call,
`active`), not idle longer than the idle timeout nor older than the absolute limit, and belong
to an active user, whose name and role *now* (from the database) make the `Caller` the service
acts as. A session moves forward only through `advance`, a conditional update, so two
workstations finishing the same step at once move it once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from bankapp.domain.types import STAFF_ROLES, Actor, Caller, Role, SessionState
from bankapp.errors import SessionEnded, SessionInvalid, SessionLocked, SignInIncomplete
from bankapp.settings import Settings
from bankapp.storage.database import Tx
from bankapp.storage.direct_statements import fetch_one
from bankapp.storage.models import User, UserSession

_sessions = UserSession
_users = User

ACTIVE = frozenset({SessionState.ACTIVE})
TOKEN_BYTES = 32  # 256 bits; OWASP asks for at least 64
MAX_TOKEN = 100
# last_seen is written at most this often, so a burst of calls does not write each time.
TOUCH_EVERY_SECONDS = 15

_FIND = (
    select(
        _sessions.c.id,
        _sessions.c.user_id,
        _sessions.c.state,
        _sessions.c.created_at,
        _sessions.c.last_seen_at,
        _sessions.c.pending_password_hash,
        _users.c.username,
        _users.c.role,
        _users.c.status,
    )
    .join(_users, _users.c.id == _sessions.c.user_id)
    .where(_sessions.c.token_hash == bindparam("token_hash"))
)
_TOUCH = (
    update(_sessions)
    .where(
        _sessions.c.id == bindparam("session_id"),
        _sessions.c.state == bindparam("current_state"),
    )
    .values(last_seen_at=bindparam("seen_at"))
)
_NEW = insert(_sessions)

_STEP_MESSAGES = {
    SessionState.NEEDS_SECOND_FACTOR: "Enter the code from your authenticator app first.",
    SessionState.MUST_CHANGE_PASSWORD: "Change your password first.",
    SessionState.MUST_ENROL_SECOND_FACTOR: "Set up your second factor first.",
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def next_step(user: Any, *, second_factor_done: bool) -> SessionState:
    """What a sign-in still owes, in order: the second factor (if the user has one), a
    password change (if one is due), enrolment (staff always have a second factor)."""
    if user.totp_enabled and not second_factor_done:
        return SessionState.NEEDS_SECOND_FACTOR
    if user.must_change_password:
        return SessionState.MUST_CHANGE_PASSWORD
    if Role(user.role) in STAFF_ROLES and not user.totp_enabled:
        return SessionState.MUST_ENROL_SECOND_FACTOR
    return SessionState.ACTIVE


def open_session(
    tx: Tx,
    user_id: int,
    state: SessionState,
    *,
    method: str = "password",
    pending_password_hash: str | None = None,
) -> str:
    """Start a session for `user_id` in `state`; returns the token (shown to no one else)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    tx.conn.execute(
        _NEW,
        {
            "token_hash": token_hash(token),
            "user_id": user_id,
            "state": state.value,
            "method": method,
            "created_at": tx.now,
            "last_seen_at": tx.now,
            "end_reason": "",
            "pending_password_hash": pending_password_hash,
        },
    )
    return token


def find_session(tx: Tx, actor: object) -> Any:
    """The session row (with its user's name, role and status) behind an actor's token."""
    if not isinstance(actor, Actor) or not isinstance(actor.session, str):
        raise SessionInvalid()
    if not actor.session or len(actor.session) > MAX_TOKEN:
        raise SessionInvalid()
    row = fetch_one(tx.conn, _FIND, {"token_hash": token_hash(actor.session)})
    if row is None or row.user_id != actor.user_id:
        raise SessionInvalid()
    return row


def require_session(
    tx: Tx,
    settings: Settings,
    actor: object,
    states: Collection[SessionState] = ACTIVE,
    *,
    touch: bool = True,
) -> Caller:
    """The verified caller behind `actor`, if its session may make a call that accepts
    `states`; otherwise a typed SessionError that says what to do."""
    row = find_session(tx, actor)
    state = SessionState(row.state)
    if state == SessionState.ENDED:
        raise SessionEnded()
    if row.status != "active":
        raise SessionEnded("This user is disabled. Ask a supervisor.")
    if tx.now - row.created_at > settings.session_max_age:
        raise SessionEnded("Your session has expired; sign in again.")
    idle = tx.now - row.last_seen_at > settings.session_idle_timeout
    if state in _STEP_MESSAGES and idle:
        raise SessionEnded("The sign-in expired; enter your password again.")
    if state == SessionState.ACTIVE and idle:
        state = SessionState.LOCKED
    if state not in states:
        if state == SessionState.LOCKED:
            raise SessionLocked()
        if state in _STEP_MESSAGES:
            raise SignInIncomplete(_STEP_MESSAGES[state])
        raise SessionInvalid("That is not possible in this session.")
    if touch and state != SessionState.LOCKED:
        _touch(tx, row, state)
    return Caller(row.user_id, row.username, Role(row.role), row.id)


def _touch(tx: Tx, row: Any, state: SessionState) -> None:
    if (tx.now - row.last_seen_at).total_seconds() < TOUCH_EVERY_SECONDS:
        return
    values = {"session_id": row.id, "current_state": state.value, "seen_at": tx.now}
    if tx.writable:
        tx.conn.execute(_TOUCH, values)
    else:
        tx.after_read.append(lambda later: _touch_later(later, values))


def _touch_later(tx: Tx, values: dict[str, Any]) -> None:
    tx.conn.execute(_TOUCH, values)


def advance(
    tx: Tx,
    session_id: int,
    *,
    from_states: Collection[SessionState],
    to_state: SessionState,
    method: str | None = None,
) -> None:
    """Move a session on, only if it is still where the caller found it (a conditional
    update: of two workstations finishing the same step at once, one moves it)."""
    values: dict[str, Any] = {"state": to_state.value, "last_seen_at": tx.now}
    if method is not None:
        values["method"] = method
    if to_state == SessionState.ACTIVE:
        values["pending_password_hash"] = None
    moved = tx.conn.execute(
        update(_sessions)
        .where(
            _sessions.c.id == session_id,
            _sessions.c.state.in_([s.value for s in from_states]),
        )
        .values(**values)
    ).rowcount
    if moved != 1:
        raise SessionInvalid("This sign-in step was already done; sign in again.")


def end_session(tx: Tx, session_id: int, reason: str) -> None:
    tx.conn.execute(
        update(_sessions)
        .where(_sessions.c.id == session_id, _sessions.c.state != SessionState.ENDED.value)
        .values(state=SessionState.ENDED.value, ended_at=tx.now, end_reason=reason[:32])
    )


def end_user_sessions(tx: Tx, user_id: int, reason: str, *, keep: int | None = None) -> int:
    """End every open session of a user (a password change, a reset, a disable); returns
    how many were open."""
    stmt = (
        update(_sessions)
        .where(_sessions.c.user_id == user_id, _sessions.c.state != SessionState.ENDED.value)
        .values(state=SessionState.ENDED.value, ended_at=tx.now, end_reason=reason[:32])
    )
    if keep is not None:
        stmt = stmt.where(_sessions.c.id != keep)
    return int(tx.conn.execute(stmt).rowcount)
