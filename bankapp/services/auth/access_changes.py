"""Changes to who may do what that need four eyes (a new staff user, a raised role, a staff
user enabled again, a password or second factor reset, a staff user unlocked): carried out
here, once, when a different admin approved the request (`bankapp.services.approvals`).

A new password is never chosen by the maker: it is generated when the request is approved and
shown once to the approving admin, who hands it over; the user must change it at sign-in.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select, update

from bankapp.domain.types import STAFF_ROLES, Caller, Role
from bankapp.errors import UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.auth.throttle import clear, throttle_name
from bankapp.services.auth.users import insert_user, parse_role, registration_form
from bankapp.services.context import ServiceContext
from bankapp.services.sessions import end_user_sessions
from bankapp.storage.database import Tx
from bankapp.storage.models import User

_users = User


def temporary_password() -> str:
    """Random (96 bits, 27 characters): far from any blocklist, changed at the first sign-in."""
    return "-".join(secrets.token_hex(3) for _ in range(4))


def _user(tx: Tx, user_id: int | None) -> Any:
    row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
    if row is None:
        raise UserNotFound("No such user.")
    return row


def create_staff_user(
    tx: Tx, ctx: ServiceContext, maker: Caller, checker: Caller, details: dict[str, Any]
) -> tuple[int, str]:
    """The approved new teller or admin, with a generated temporary password."""
    role = parse_role(str(details["role"]))
    if role not in STAFF_ROLES:
        raise ValidationFailed("Staff role must be teller or admin.", field="role")
    password = temporary_password()
    form = registration_form(
        username=str(details["username"]),
        password=password,
        password_confirm=password,
        full_name=str(details["full_name"]),
        email=str(details["email"]),
        phone=str(details.get("phone", "")),
    )
    user = insert_user(
        tx,
        checker,
        form,
        ctx.hashing.hash(password),
        role,
        must_change=True,
        by=checker.username,
        created_by=maker.user_id,
    )
    return user.id, password


def raise_role(tx: Tx, maker: Caller, checker: Caller, user_id: int | None, role: str) -> None:
    row = _user(tx, user_id)
    wanted = parse_role(role)
    if Role(row.role) not in STAFF_ROLES or wanted not in STAFF_ROLES:
        raise UserNotFound("No such staff user.")
    tx.conn.execute(
        update(_users)
        .where(_users.c.id == row.id)
        .values(role=wanted.value, changed_by=maker.user_id)
    )
    end_user_sessions(tx, row.id, "role changed")
    audit.record(tx, checker, "user.role", f"user {row.username}", {"from": row.role, "to": role})


def enable_user(tx: Tx, maker: Caller, checker: Caller, user_id: int | None) -> None:
    row = _user(tx, user_id)
    tx.conn.execute(
        update(_users)
        .where(_users.c.id == row.id)
        .values(status="active", changed_by=maker.user_id)
    )
    audit.record(tx, checker, "user.enable", f"user {row.username}")


def reset_password(
    tx: Tx, ctx: ServiceContext, maker: Caller, checker: Caller, user_id: int | None
) -> str:
    """A generated temporary password, to be changed at the next sign-in; the user's open
    sessions end, any sign-in lock is lifted, and the user is told who reset it and when."""
    row = _user(tx, user_id)
    password = temporary_password()
    tx.conn.execute(
        update(_users)
        .where(_users.c.id == row.id)
        .values(
            password_hash=ctx.hashing.hash(password),
            must_change_password=True,
            changed_by=maker.user_id,
            password_reset_by=checker.user_id,
            password_reset_at=tx.now,
        )
    )
    clear(tx, throttle_name(row.username))
    end_user_sessions(tx, row.id, "password reset")
    audit.record(
        tx, checker, "user.password_reset", f"user {row.username}", {"requested_by": maker.username}
    )
    return password


def reset_second_factor(tx: Tx, maker: Caller, checker: Caller, user_id: int | None) -> None:
    row = _user(tx, user_id)
    tx.conn.execute(
        update(_users)
        .where(_users.c.id == row.id)
        .values(
            totp_enabled=False,
            totp_secret_enc=None,
            totp_last_step=None,
            recovery_codes=None,
            changed_by=maker.user_id,
        )
    )
    end_user_sessions(tx, row.id, "second factor reset")
    audit.record(tx, checker, "totp.reset", f"user {row.username}")


def unlock_user(tx: Tx, checker: Caller, user_id: int | None) -> None:
    row = _user(tx, user_id)
    clear(tx, throttle_name(row.username))
    audit.record(tx, checker, "user.unlock", f"user {row.username}")
