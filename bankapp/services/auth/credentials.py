"""Passwords of signed-in users: changing one's own, and the notice of a reset by staff.
Part of `AuthService`; resets and unlocking are requests staff make (`bankapp.services.staff`);
the password rules themselves live in `bankapp.domain.passwords` (this module is the use
case, that one the pure rule)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bankapp.domain.passwords import password_problems
from bankapp.domain.types import (
    Actor,
    Caller,
    LoginResult,
    PasswordReset,
    SessionState,
)
from bankapp.errors import AccountLocked, PasswordRejected, ValidationFailed
from bankapp.services import audit
from bankapp.services.auth.throttle import (
    attempt_succeeded,
    begin_attempt,
    throttle_name,
)
from bankapp.services.auth.user_rows import user_view
from bankapp.services.context import ServiceContext
from bankapp.services.sessions import (
    advance,
    end_session,
    end_user_sessions,
    next_step,
)
from bankapp.storage.database import Tx
from bankapp.storage.models import User

_users = User
CHANGE_STATES = frozenset({SessionState.ACTIVE, SessionState.MUST_CHANGE_PASSWORD})


def checked_problems(ctx: ServiceContext, password: str, username: str) -> list[str]:
    """Every rule `password` breaks under this installation's length limits."""
    return password_problems(
        password,
        username=username,
        min_length=ctx.settings.password_min_length,
        max_length=ctx.settings.password_max_length,
    )


def checked_password_hash(ctx: ServiceContext, password: str, confirm: str, username: str) -> str:
    """The argon2id hash of `password`, once it passes every rule and matches `confirm`."""
    problems = checked_problems(ctx, password, username)
    if problems:
        raise PasswordRejected(problems)
    if password != confirm:
        raise ValidationFailed("The two passwords do not match.", field="password_confirm")
    return ctx.hashing.hash(password)


def login_result(
    tx: Tx, user_id: int, token: str, state: SessionState, codes: tuple[str, ...] = ()
) -> LoginResult:
    """What a sign-in step returns: the session handle and what it still owes, and, while a
    password staff reset is still to be changed, who reset it and when."""
    user = user_view(tx, user_id)
    return LoginResult(
        actor=Actor(user.id, user.username, user.role, session=token),
        user=user,
        state=state,
        recovery_codes=codes,
        password_reset=_reset_notice(tx, user_id) if user.must_change_password else None,
    )


def _reset_notice(tx: Tx, user_id: int) -> PasswordReset | None:
    resetter = _users.alias("resetter")
    row = tx.conn.execute(
        select(resetter.c.full_name, resetter.c.role, _users.c.password_reset_at)
        .join(resetter, resetter.c.id == _users.c.password_reset_by)
        .where(_users.c.id == user_id)
    ).one_or_none()
    if row is None or row.password_reset_at is None:
        return None
    return PasswordReset(by=f"{row.full_name} ({row.role})", at=row.password_reset_at)


class Credentials:
    """Changing one's own password."""

    _ctx: ServiceContext

    def password_problems(self, password: str, username: str = "") -> list[str]:
        """The rules a candidate password breaks; screens show these as live feedback."""
        return checked_problems(self._ctx, password, username)

    def change_password(self, actor: Actor, old: str, new: str, confirm: str) -> LoginResult:
        """Change one's own password (the step a forced change waits for). The current
        password is checked like a sign-in: counted, throttled, locked, audited. Every other
        session of the user ends."""

        def load(tx: Tx, caller: Caller) -> Any:
            return tx.conn.execute(select(_users).where(_users.c.id == caller.user_id)).one()

        row = self._ctx.read_as(actor, load, states=CHANGE_STATES)
        if new == old:
            raise PasswordRejected(["The new password must differ from the current one."])
        digest = checked_password_hash(self._ctx, new, confirm, row.username)
        name = throttle_name(row.username)
        attempt = self._ctx.write_as(
            actor,
            lambda tx, caller: begin_attempt(tx, self._ctx.settings, name),
            states=CHANGE_STATES,
        )
        if not self._ctx.hashing.verify(row.password_hash, old):
            self._ctx.write_as(
                actor,
                lambda tx, caller: self._wrong_current_password(tx, caller, attempt.locked_until),
                states=CHANGE_STATES,
            )
            if attempt.locked_until is not None:
                raise AccountLocked(attempt.locked_until)
            raise ValidationFailed("The current password is not right.", field="old_password")

        def work(tx: Tx, caller: Caller) -> LoginResult:
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == caller.user_id)
                .values(password_hash=digest, must_change_password=False)
            )
            attempt_succeeded(tx, name)
            ended = end_user_sessions(
                tx, caller.user_id, "password changed", keep=caller.session_id
            )
            current = tx.conn.execute(select(_users).where(_users.c.id == caller.user_id)).one()
            state = next_step(current, second_factor_done=True)
            advance(tx, caller.session_id, from_states=CHANGE_STATES, to_state=state)
            audit.record(
                tx,
                caller,
                "user.password_change",
                f"user {caller.username}",
                {"other_sessions_ended": ended},
            )
            return login_result(tx, caller.user_id, actor.session, state)

        return self._ctx.write_as(actor, work, states=CHANGE_STATES)

    def _wrong_current_password(self, tx: Tx, caller: Caller, locked: object) -> None:
        audit.record(
            tx,
            None,
            "login.failure",
            f"user {caller.username}",
            {"reason": "wrong current password"},
            actor_name=caller.username,
        )
        if locked is not None:
            end_session(tx, caller.session_id, "locked out")
            audit.record(
                tx, None, "login.lockout", f"user {caller.username}", actor_name=caller.username
            )
