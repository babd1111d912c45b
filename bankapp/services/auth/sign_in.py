"""Sign-in: password check with throttling and lockout counted in the database, the second
factor step, and the idle lock's password check. Part of `AuthService`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bankapp.domain.types import STAFF_ROLES, Actor, LoginResult, Role
from bankapp.domain.validation import clean_username
from bankapp.errors import (
    AccountLocked,
    BankError,
    InvalidCredentials,
    InvalidSecondFactor,
    LoginThrottled,
    UserDisabled,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.auth.second_factor import TotpService
from bankapp.services.auth.user_rows import to_user_view, user_view
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import User, table_of

_users = table_of(User)


class SignIn:
    """Login, the second factor, throttling and lockout."""

    _ctx: ServiceContext
    totp: TotpService

    def login(self, username: str, password: str) -> LoginResult:
        """Check a password. Failures are counted per user in the database (so a restart does
        not reset them), throttled, then locked; unknown users cost the same argon2 verify."""
        try:
            name = clean_username(username)
        except ValidationFailed:
            name = ""
        row = (
            self._ctx.db.read(
                lambda tx: tx.conn.execute(
                    select(_users).where(_users.c.username == name)
                ).one_or_none()
            )
            if name
            else None
        )
        now = self._ctx.db.clock.now()
        if row is not None:
            self._refuse_if_blocked(row, now)
        ok = self._ctx.hashing.verify(row.password_hash if row else None, password)
        if row is None:
            # What was typed is not a user's name and may be a mistyped password: the audit
            # keeps only its first two characters and length.
            shown = f"{name[:2]}…({len(name)})" if name else "?"
            self._ctx.db.write(
                lambda tx: audit.record(
                    tx,
                    None,
                    "login.failure",
                    f"unknown user {shown}",
                    {"reason": "unknown user"},
                    actor_name=shown,
                )
            )
            raise InvalidCredentials()
        if not ok:
            error = self._ctx.db.write(lambda tx: self._record_failure(tx, row.id))
            raise error
        if row.status != "active":
            self._ctx.db.write(
                lambda tx: audit.record(
                    tx,
                    None,
                    "login.failure",
                    f"user {row.username}",
                    {"reason": "disabled"},
                    actor_name=row.username,
                )
            )
            raise UserDisabled()
        if row.totp_enabled or row.role in STAFF_ROLES:
            return self._second_factor_challenge(row, password)
        return self._ctx.db.write(lambda tx: self._record_success(tx, row, password))

    def _second_factor_challenge(self, row: Any, password: str) -> LoginResult:
        """Password accepted; staff (always) and opted-in customers still owe a TOTP code."""
        rehash = (
            self._ctx.hashing.hash(password)
            if self._ctx.hashing.needs_rehash(row.password_hash)
            else None
        )
        token = self.totp.open_challenge(row.id, rehash)
        return LoginResult(
            actor=Actor(row.id, row.username, Role(row.role)),
            user=to_user_view(row),
            must_change_password=row.must_change_password,
            second_factor_required=True,
            totp_enrolment_required=not row.totp_enabled,
            challenge=token,
        )

    def complete_second_factor(self, challenge: str, code: str) -> LoginResult:
        """Finish a sign-in with a TOTP code or a recovery code (or, while enrolling, the first
        code of the new secret: the result then carries the recovery codes to show once).
        Wrong codes count as failed sign-ins, so they throttle and lock like passwords."""
        pending = self.totp.peek_challenge(challenge)
        row = self._ctx.db.read(
            lambda tx: tx.conn.execute(select(_users).where(_users.c.id == pending.user_id)).one()
        )
        self._refuse_if_blocked(row, self._ctx.db.clock.now())

        def work(tx: Tx) -> LoginResult | None:
            current = tx.conn.execute(select(_users).where(_users.c.id == pending.user_id)).one()
            if current.status != "active":
                raise UserDisabled()
            if current.totp_enabled:
                if self.totp.check_in(tx, current, code) is None:
                    return None
                codes: tuple[str, ...] = ()
            else:
                try:
                    codes = self.totp.confirm_in(tx, current, code, None)
                except InvalidSecondFactor:
                    return None
            if pending.new_password_hash:
                tx.conn.execute(
                    update(_users)
                    .where(_users.c.id == current.id)
                    .values(password_hash=pending.new_password_hash)
                )
            result = self._record_success(tx, current, "")
            return LoginResult(
                actor=result.actor,
                user=result.user,
                must_change_password=result.must_change_password,
                recovery_codes=codes,
            )

        result = self._ctx.db.write(work)
        if result is None:
            error = self._ctx.db.write(lambda tx: self._record_failure(tx, row.id))
            if not isinstance(error, InvalidCredentials):
                self.totp.close_challenge(challenge)
                raise error
            raise InvalidSecondFactor("That code is not right; check the time on your device.")
        self.totp.close_challenge(challenge)
        return result

    def _refuse_if_blocked(self, row: Any, now: datetime) -> None:
        settings = self._ctx.settings
        if row.locked_until is not None and row.locked_until > now:
            raise AccountLocked(row.locked_until)
        if row.failed_logins >= settings.throttle_after and row.last_failed_at is not None:
            wait = self._throttle_delay(row.failed_logins)
            ready_at = row.last_failed_at + wait
            if ready_at > now:
                raise LoginThrottled(max(1, int((ready_at - now).total_seconds() + 0.999)))

    def _throttle_delay(self, failures: int) -> timedelta:
        settings = self._ctx.settings
        return settings.throttle_base * (1 << max(0, failures - settings.throttle_after))

    def _record_failure(self, tx: Tx, user_id: int) -> BankError:
        settings = self._ctx.settings
        # Re-read inside the write transaction: concurrent failures each count.
        row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one()
        locked_earlier = row.locked_until is not None and row.locked_until <= tx.now
        failures = 1 if locked_earlier else row.failed_logins + 1
        values: dict[str, Any] = {"failed_logins": failures, "last_failed_at": tx.now}
        error: BankError = InvalidCredentials()
        if failures >= settings.lockout_after:
            values["locked_until"] = tx.now + settings.lockout_period
            error = AccountLocked(values["locked_until"])
        elif locked_earlier:
            values["locked_until"] = None
        tx.conn.execute(update(_users).where(_users.c.id == user_id).values(**values))
        kind = "login.lockout" if values.get("locked_until") else ("login.failure")
        audit.record(
            tx, None, kind, f"user {row.username}", {"failures": failures}, actor_name=row.username
        )
        return error

    def _record_success(self, tx: Tx, row: Any, password: str) -> LoginResult:
        values: dict[str, Any] = {
            "failed_logins": 0,
            "last_failed_at": None,
            "locked_until": None,
            "last_login_at": tx.now,
        }
        if password and self._ctx.hashing.needs_rehash(row.password_hash):
            values["password_hash"] = self._ctx.hashing.hash(password)
        tx.conn.execute(update(_users).where(_users.c.id == row.id).values(**values))
        actor = Actor(row.id, row.username, Role(row.role))
        audit.record(
            tx,
            actor,
            "login.success",
            f"user {row.username}",
            {"rehashed": "password_hash" in values},
        )
        user = user_view(tx, row.id)
        return LoginResult(actor=actor, user=user, must_change_password=user.must_change_password)

    def verify_password(self, actor: Actor, password: str) -> None:
        """Re-check the signed-in user's password (the idle lock); failures count as logins."""
        self.login(actor.username, password)
