"""Signing in, step by step, and the session's life after: the password (throttled and locked
per name, see `throttle`), the second factor, locking and unlocking an idle session, signing
out. Part of `AuthService`; every step returns the session handle and what it still owes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bankapp.domain.types import Actor, Caller, LoginResult, SessionState
from bankapp.errors import (
    AccountLocked,
    BankError,
    InvalidCredentials,
    InvalidSecondFactor,
    UserDisabled,
)
from bankapp.services import audit
from bankapp.services.auth.credentials import login_result
from bankapp.services.auth.second_factor import TotpService
from bankapp.services.auth.throttle import (
    Attempt,
    attempt_succeeded,
    attempt_withdrawn,
    begin_attempt,
    throttle_name,
)
from bankapp.services.context import ServiceContext
from bankapp.services.sessions import (
    advance,
    end_session,
    find_session,
    next_step,
    open_session,
)
from bankapp.storage.database import Tx
from bankapp.storage.models import User

_users = User
SECOND_FACTOR = frozenset({SessionState.NEEDS_SECOND_FACTOR})
LOCKABLE = frozenset({SessionState.ACTIVE, SessionState.LOCKED})


class SignIn:
    """Login, the second factor, lock, unlock and sign-out."""

    _ctx: ServiceContext
    totp: TotpService

    def login(self, username: str, password: str) -> LoginResult:
        """Check a password and open a session in the state the user's sign-in still owes
        (second factor, password change, enrolment, or active). The attempt is counted
        before the password is checked; unknown names cost the same argon2 verify and are
        throttled and locked exactly like real ones."""
        settings = self._ctx.settings
        name = throttle_name(username)
        attempt = self._ctx.db.write(lambda tx: begin_attempt(tx, settings, name))
        row = self._ctx.db.read(
            lambda tx: tx.conn.execute(select(_users).where(_users.c.username == name)).first()
        )
        given = password if isinstance(password, str) else ""
        ok = self._ctx.hashing.verify(row.password_hash if row else None, given)
        if row is None or not ok:
            reason = "unknown user" if row is None else "wrong password"
            self._ctx.db.write(lambda tx: _failed(tx, name, reason, attempt, known=row is not None))
            raise _refusal(attempt, InvalidCredentials())
        if row.status != "active":
            self._ctx.db.write(lambda tx: _failed(tx, name, "disabled", attempt, known=True))
            raise UserDisabled()
        rehash = (
            self._ctx.hashing.hash(given)
            if self._ctx.hashing.needs_rehash(row.password_hash)
            else None
        )
        return self._ctx.db.write(lambda tx: self._password_accepted(tx, attempt, row.id, rehash))

    def _password_accepted(
        self, tx: Tx, attempt: Attempt, user_id: int, rehash: str | None
    ) -> LoginResult:
        user = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one()
        if user.status != "active":
            raise UserDisabled()
        state = next_step(user, second_factor_done=False)
        if state == SessionState.NEEDS_SECOND_FACTOR:
            attempt_withdrawn(tx, attempt)
            token = open_session(tx, user.id, state, pending_password_hash=rehash)
        else:
            attempt_succeeded(tx, attempt.name)
            token = open_session(tx, user.id, state)
            _authenticated(tx, user, "password", rehash)
        return login_result(tx, user.id, token, state)

    def complete_second_factor(self, actor: Actor, code: str) -> LoginResult:
        """Finish a sign-in with an authenticator code or a recovery code. A code is used up
        when accepted (also when two workstations present it at once); wrong codes count
        like wrong passwords, so they throttle and lock the same way."""
        settings = self._ctx.settings
        caller = self._ctx.read_as(actor, lambda tx, c: c, states=SECOND_FACTOR, touch=False)
        name = throttle_name(caller.username)
        attempt = self._ctx.db.write(lambda tx: begin_attempt(tx, settings, name))

        def work(tx: Tx, caller: Caller) -> LoginResult | None:
            user = tx.conn.execute(select(_users).where(_users.c.id == caller.user_id)).one()
            method = self.totp._use_code(tx, user, code)
            if method is None:
                return None
            attempt_succeeded(tx, name)
            pending = find_session(tx, actor).pending_password_hash
            state = next_step(user, second_factor_done=True)
            advance(tx, caller.session_id, from_states=SECOND_FACTOR, to_state=state, method=method)
            _authenticated(tx, user, method, pending)
            return login_result(tx, user.id, actor.session, state)

        result = self._ctx.write_as(actor, work, states=SECOND_FACTOR)
        if result is None:
            self._ctx.db.write(lambda tx: _failed(tx, name, "wrong code", attempt, known=True))
            if attempt.locked_until is not None:
                self._ctx.db.write(lambda tx: end_session(tx, caller.session_id, "locked out"))
            raise _refusal(
                attempt,
                InvalidSecondFactor("That code is not right; check the time on your device."),
            )
        return result

    def lock(self, actor: Actor) -> None:
        """Lock the session now (F8, or the screen's own idle timer); the password unlocks."""

        def work(tx: Tx, caller: Caller) -> None:
            advance(tx, caller.session_id, from_states=LOCKABLE, to_state=SessionState.LOCKED)
            audit.record(tx, caller, "session.lock", f"user {caller.username}")

        self._ctx.write_as(actor, work, states=LOCKABLE)

    def unlock_session(self, actor: Actor, password: str) -> LoginResult:
        """Unlock a locked or idle session with the user's password, counted like a sign-in;
        a lockout ends the session."""
        settings = self._ctx.settings
        caller = self._ctx.read_as(actor, lambda tx, c: c, states=LOCKABLE, touch=False)
        name = throttle_name(caller.username)
        attempt = self._ctx.db.write(lambda tx: begin_attempt(tx, settings, name))
        stored = self._ctx.db.read(
            lambda tx: tx.conn.execute(
                select(_users.c.password_hash).where(_users.c.id == caller.user_id)
            ).scalar_one()
        )
        given = password if isinstance(password, str) else ""
        if not self._ctx.hashing.verify(stored, given):
            self._ctx.db.write(
                lambda tx: _failed(tx, name, "wrong password (unlock)", attempt, known=True)
            )
            if attempt.locked_until is not None:
                self._ctx.db.write(lambda tx: end_session(tx, caller.session_id, "locked out"))
            raise _refusal(attempt, InvalidCredentials())

        def work(tx: Tx, caller: Caller) -> LoginResult:
            attempt_succeeded(tx, name)
            advance(tx, caller.session_id, from_states=LOCKABLE, to_state=SessionState.ACTIVE)
            audit.record(tx, caller, "session.unlock", f"user {caller.username}")
            return login_result(tx, caller.user_id, actor.session, SessionState.ACTIVE)

        return self._ctx.write_as(actor, work, states=LOCKABLE)

    def sign_out(self, actor: Actor) -> None:
        """End the session, whatever step it is at; signing out twice is harmless."""

        def work(tx: Tx) -> None:
            row = find_session(tx, actor)
            if row.state == SessionState.ENDED:
                return
            end_session(tx, row.id, "signed out")
            audit.record(tx, None, "logout", f"user {row.username}", actor_name=row.username)

        self._ctx.db.write(work)


def _authenticated(tx: Tx, user: Any, method: str, rehash: str | None) -> None:
    """The user proved who they are: note when, store a stronger hash, audit how."""
    values: dict[str, Any] = {"last_login_at": tx.now}
    if rehash:
        values["password_hash"] = rehash
    tx.conn.execute(update(_users).where(_users.c.id == user.id).values(**values))
    audit.record(
        tx,
        None,
        "login.success",
        f"user {user.username}",
        {"method": method, "rehashed": bool(rehash)},
        actor_name=user.username,
    )


def _failed(tx: Tx, name: str, reason: str, attempt: Attempt, *, known: bool) -> None:
    """Audit a failed attempt (already counted). What was typed as an unknown name may be a
    mistyped password: the audit keeps only its first two characters and length."""
    shown = name if known else (f"{name[:2]}…({len(name)})" if not name.startswith("?") else "?")
    subject = f"user {name}" if known else f"unknown user {shown}"
    details = {"reason": reason, "failures": attempt.failures}
    audit.record(tx, None, "login.failure", subject, details, actor_name=shown)
    if attempt.locked_until is not None:
        audit.record(tx, None, "login.lockout", subject, details, actor_name=shown)


def _refusal(attempt: Attempt, otherwise: BankError) -> BankError:
    return AccountLocked(attempt.locked_until) if attempt.locked_until is not None else otherwise
