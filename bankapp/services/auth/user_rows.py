"""A user row as the `UserView` callers see (never the password hash or second-factor data),
with the sign-in lock from the throttle table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from bankapp.domain.types import Role, UserView
from bankapp.errors import UserNotFound
from bankapp.services.access import require_id
from bankapp.storage.database import Tx
from bankapp.storage.models import SignInThrottle, User

_users = User
_throttle = SignInThrottle


def users_with_lock() -> Select[Any]:
    """Users with the end of their sign-in lock, for `to_user_view`."""
    return select(_users, _throttle.c.locked_until).outerjoin(
        _throttle, _throttle.c.name == _users.c.username
    )


def to_user_view(row: Any, now: datetime | None = None) -> UserView:
    locked = getattr(row, "locked_until", None)
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
        locked_until=locked if locked is not None and (now is None or locked > now) else None,
        totp_enabled=row.totp_enabled,
        created_at=row.created_at,
    )


def user_view(tx: Tx, user_id: int) -> UserView:
    require_id(user_id, UserNotFound, "user")
    row = tx.conn.execute(users_with_lock().where(_users.c.id == user_id)).one_or_none()
    if row is None:
        raise UserNotFound("No such user.")
    return to_user_view(row, tx.now)
