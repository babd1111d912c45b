"""Users and sign-in: registration, login with throttling and lockout, passwords, profiles."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from bankapp.domain import STAFF_ROLES, Actor, LoginResult, Role, UserView
from bankapp.errors import (
    AccountLocked,
    BankError,
    InvalidCredentials,
    InvalidSecondFactor,
    LoginThrottled,
    PasswordRejected,
    PermissionDenied,
    UserDisabled,
    UsernameTaken,
    UserNotFound,
    ValidationFailed,
)
from bankapp.forms import ProfileInput, RegistrationInput, parse_form
from bankapp.services import audit
from bankapp.services.access import require_active, require_admin
from bankapp.services.context import ServiceContext
from bankapp.services.passwords import password_problems
from bankapp.services.totp import TotpService
from bankapp.storage.database import Tx
from bankapp.storage.models import User, table_of
from bankapp.validation import clean_username

_users = table_of(User)


def to_user_view(row: Any) -> UserView:
    return UserView(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        full_name=row.full_name,
        email=row.email,
        phone=row.phone,
        address=row.address,
        status=row.status,
        must_change_password=row.must_change_password,
        locked_until=row.locked_until,
        totp_enabled=row.totp_enabled,
        created_at=row.created_at,
    )


class AuthService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.totp = TotpService(ctx)

    # -- passwords ------------------------------------------------------------------------

    def password_problems(self, password: str, username: str = "") -> list[str]:
        """The rules a candidate password breaks; screens show these as live feedback."""
        return password_problems(password, username=username, settings=self._ctx.settings)

    def _checked_hash(self, password: str, confirm: str, username: str) -> str:
        problems = self.password_problems(password, username)
        if problems:
            raise PasswordRejected(problems)
        if password != confirm:
            raise ValidationFailed("The two passwords do not match.", field="password_confirm")
        return self._ctx.hashing.hash(password)

    # -- users ----------------------------------------------------------------------------

    def register(
        self,
        *,
        username: str,
        password: str,
        password_confirm: str,
        full_name: str,
        email: str,
        phone: str = "",
        address: str = "",
    ) -> UserView:
        """A new customer registers themselves."""
        form = parse_form(
            RegistrationInput,
            username=username,
            password=password,
            password_confirm=password_confirm,
            full_name=full_name,
            email=email,
            phone=phone,
            address=address,
        )
        digest = self._checked_hash(form.password, form.password_confirm, form.username)
        return self._ctx.db.write(
            lambda tx: self._insert_user(tx, None, form, digest, Role.CUSTOMER, must_change=False)
        )

    def create_user(
        self,
        actor: Actor | None,
        *,
        username: str,
        password: str,
        role: Role | str,
        full_name: str,
        email: str,
        phone: str = "",
        address: str = "",
        must_change_password: bool = True,
    ) -> UserView:
        """Create any user. `actor=None` is the local operator (CLI, demo); otherwise an admin,
        or a teller registering a customer."""
        try:
            role = Role(role)
        except ValueError:
            raise ValidationFailed(
                "Role must be customer, teller or admin.", field="role"
            ) from None
        form = parse_form(
            RegistrationInput,
            username=username,
            password=password,
            password_confirm=password,
            full_name=full_name,
            email=email,
            phone=phone,
            address=address,
        )
        digest = self._checked_hash(form.password, form.password, form.username)

        def work(tx: Tx) -> UserView:
            if actor is not None:
                require_active(tx, actor)
                allowed = actor.role == Role.ADMIN or (
                    actor.role == Role.TELLER and role == Role.CUSTOMER
                )
                if not allowed:
                    raise PermissionDenied("You cannot create users with that role.")
            return self._insert_user(tx, actor, form, digest, role, must_change_password)

        return self._ctx.db.write(work)

    def _insert_user(
        self,
        tx: Tx,
        actor: Actor | None,
        form: RegistrationInput,
        digest: str,
        role: Role,
        must_change: bool,
    ) -> UserView:
        exists = tx.conn.execute(
            select(_users.c.id).where(_users.c.username == form.username)
        ).first()
        if exists:
            raise UsernameTaken("That username is taken; choose another.", field="username")
        user_id = tx.conn.execute(
            insert(_users)
            .values(
                username=form.username,
                password_hash=digest,
                role=role.value,
                full_name=form.full_name,
                email=form.email,
                phone=form.phone,
                address=form.address,
                status="active",
                must_change_password=must_change,
                failed_logins=0,
                created_at=tx.now,
                totp_enabled=False,
            )
            .returning(_users.c.id)
        ).scalar_one()
        audit.record(
            tx,
            actor,
            "user.create",
            f"user {form.username}",
            {"role": role.value},
            actor_name=None
            if actor
            else ("self-registration" if role == Role.CUSTOMER and not must_change else "operator"),
        )
        return self._user(tx, user_id)

    def get_user(self, actor: Actor, user_id: int) -> UserView:
        def work(tx: Tx) -> UserView:
            require_active(tx, actor)
            if actor.role == Role.CUSTOMER and user_id != actor.user_id:
                raise UserNotFound("No such user.")
            return self._user(tx, user_id)

        return self._ctx.db.read(work)

    def update_profile(
        self,
        actor: Actor,
        *,
        full_name: str,
        email: str,
        phone: str = "",
        address: str = "",
        user_id: int | None = None,
    ) -> UserView:
        """Customers edit their own profile; staff may edit a customer's."""
        form = parse_form(
            ProfileInput, full_name=full_name, email=email, phone=phone, address=address
        )
        target = user_id or actor.user_id

        def work(tx: Tx) -> UserView:
            require_active(tx, actor)
            if target != actor.user_id:
                if not actor.is_staff:
                    raise UserNotFound("No such user.")
                role = tx.conn.execute(select(_users.c.role).where(_users.c.id == target)).scalar()
                if role is None or (role != Role.CUSTOMER and actor.role != Role.ADMIN):
                    raise UserNotFound("No such customer.")
            before = self._user(tx, target)
            tx.conn.execute(update(_users).where(_users.c.id == target).values(**form.model_dump()))
            changed = {
                k: "changed" for k, v in form.model_dump().items() if getattr(before, k) != v
            }
            audit.record(tx, actor, "user.profile", f"user {before.username}", changed)
            return self._user(tx, target)

        return self._ctx.db.write(work)

    def change_password(self, actor: Actor, old: str, new: str, confirm: str) -> None:
        def load(tx: Tx) -> Any:
            require_active(tx, actor)
            return tx.conn.execute(select(_users).where(_users.c.id == actor.user_id)).one()

        row = self._ctx.db.read(load)
        if not self._ctx.hashing.verify(row.password_hash, old):
            raise ValidationFailed("The current password is not right.", field="old_password")
        if new == old:
            raise PasswordRejected(["The new password must differ from the current one."])
        digest = self._checked_hash(new, confirm, row.username)

        def work(tx: Tx) -> None:
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == actor.user_id)
                .values(password_hash=digest, must_change_password=False)
            )
            audit.record(tx, actor, "user.password_change", f"user {row.username}")

        self._ctx.db.write(work)

    def reset_password(self, actor: Actor, user_id: int, temporary_password: str) -> None:
        """An admin sets a temporary password that must be changed at the next sign-in."""

        def load(tx: Tx) -> Any:
            require_admin(tx, actor)
            return self._user(tx, user_id)

        user = self._ctx.db.read(load)
        digest = self._checked_hash(temporary_password, temporary_password, user.username)

        def work(tx: Tx) -> None:
            require_admin(tx, actor)
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == user_id)
                .values(
                    password_hash=digest,
                    must_change_password=True,
                    failed_logins=0,
                    locked_until=None,
                )
            )
            audit.record(tx, actor, "user.password_reset", f"user {user.username}")

        self._ctx.db.write(work)

    def unlock(self, actor: Actor | None, username: str) -> UserView:
        """Clear the failure count and lockout. `actor=None` is the local operator (CLI)."""
        name = clean_username(username)

        def work(tx: Tx) -> UserView:
            if actor is not None:
                require_admin(tx, actor)
            row = tx.conn.execute(select(_users).where(_users.c.username == name)).one_or_none()
            if row is None:
                raise UserNotFound(f"No user named {name!r}.")
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == row.id)
                .values(failed_logins=0, locked_until=None, last_failed_at=None)
            )
            audit.record(tx, actor, "user.unlock", f"user {name}", actor_name="operator")
            return self._user(tx, row.id)

        return self._ctx.db.write(work)

    def set_status(self, actor: Actor, user_id: int, status: str) -> UserView:
        """Disable or re-enable a user (admin only; an admin cannot disable themselves)."""
        if status not in ("active", "disabled"):
            raise ValidationFailed("Status must be active or disabled.", field="status")

        def work(tx: Tx) -> UserView:
            require_admin(tx, actor)
            if user_id == actor.user_id:
                raise PermissionDenied("You cannot change your own status.")
            user = self._user(tx, user_id)
            tx.conn.execute(update(_users).where(_users.c.id == user_id).values(status=status))
            audit.record(
                tx,
                actor,
                f"user.{'enable' if status == 'active' else 'disable'}",
                f"user {user.username}",
            )
            return self._user(tx, user_id)

        return self._ctx.db.write(work)

    # -- sign-in --------------------------------------------------------------------------

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
        user = self._user(tx, row.id)
        return LoginResult(actor=actor, user=user, must_change_password=user.must_change_password)

    def verify_password(self, actor: Actor, password: str) -> None:
        """Re-check the signed-in user's password (the idle lock); failures count as logins."""
        self.login(actor.username, password)

    def _user(self, tx: Tx, user_id: int) -> UserView:
        row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
        if row is None:
            raise UserNotFound("No such user.")
        return to_user_view(row)
