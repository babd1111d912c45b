"""A user row as the `UserView` callers see (never the password hash or second-factor data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bankapp.domain.types import Role, UserView
from bankapp.errors import UserNotFound
from bankapp.storage.database import Tx
from bankapp.storage.models import User, table_of

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


def user_view(tx: Tx, user_id: int) -> UserView:
    row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
    if row is None:
        raise UserNotFound("No such user.")
    return to_user_view(row)
