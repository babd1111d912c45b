"""Passwords of signed-in users: change one's own, an admin's temporary reset, unlock after
lockout. Part of `AuthService`; the password rules themselves are `bankapp.domain.passwords`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bankapp.domain.passwords import password_problems
from bankapp.domain.types import Actor, UserView
from bankapp.domain.validation import clean_username
from bankapp.errors import PasswordRejected, UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import require_active, require_admin
from bankapp.services.auth.user_rows import user_view
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import User, table_of

_users = table_of(User)


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


class Credentials:
    """Password changes, resets and unlocking."""

    _ctx: ServiceContext

    def password_problems(self, password: str, username: str = "") -> list[str]:
        """The rules a candidate password breaks; screens show these as live feedback."""
        return checked_problems(self._ctx, password, username)

    def change_password(self, actor: Actor, old: str, new: str, confirm: str) -> None:
        def load(tx: Tx) -> Any:
            require_active(tx, actor)
            return tx.conn.execute(select(_users).where(_users.c.id == actor.user_id)).one()

        row = self._ctx.db.read(load)
        if not self._ctx.hashing.verify(row.password_hash, old):
            raise ValidationFailed("The current password is not right.", field="old_password")
        if new == old:
            raise PasswordRejected(["The new password must differ from the current one."])
        digest = checked_password_hash(self._ctx, new, confirm, row.username)

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
            return user_view(tx, user_id)

        user = self._ctx.db.read(load)
        digest = checked_password_hash(
            self._ctx, temporary_password, temporary_password, user.username
        )

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
            return user_view(tx, row.id)

        return self._ctx.db.write(work)
