"""Staff administration for admins: list, create, disable/enable, change role, reset password,
unlock and reset the second factor. Each step reuses `AuthService`/`TotpService` rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from bankapp.domain.types import STAFF_ROLES, Actor, Caller, Role, UserView
from bankapp.errors import PermissionDenied, UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import require_admin, require_id
from bankapp.services.auth import AuthService
from bankapp.services.auth.second_factor import TotpService
from bankapp.services.auth.user_rows import to_user_view, user_view, users_with_lock
from bankapp.services.context import ServiceContext
from bankapp.services.sessions import end_user_sessions
from bankapp.storage.database import Tx
from bankapp.storage.models import User, table_of

_users = table_of(User)
MAX_PAGE = 100


@dataclass(frozen=True)
class StaffPage:
    users: tuple[UserView, ...]
    next_cursor: int | None  # pass as `after_id` for the next page


def _staff_role(role: Role | str) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = Role.CUSTOMER
    if parsed not in STAFF_ROLES:
        raise ValidationFailed("Staff role must be teller or admin.", field="role")
    return parsed


class StaffService:
    def __init__(self, ctx: ServiceContext, auth: AuthService, totp: TotpService) -> None:
        self._ctx = ctx
        self._auth = auth
        self._totp = totp

    def page(self, actor: Actor, *, after_id: int | None = None, limit: int = 50) -> StaffPage:
        """Tellers and admins, oldest first."""
        limit = max(1, min(limit, MAX_PAGE))

        def work(tx: Tx, caller: Caller) -> StaffPage:
            require_admin(caller)
            stmt = (
                users_with_lock()
                .where(_users.c.role.in_([r.value for r in STAFF_ROLES]))
                .order_by(_users.c.id)
                .limit(limit + 1)
            )
            if after_id is not None:
                stmt = stmt.where(_users.c.id > require_id(after_id, UserNotFound, "user"))
            rows = tx.conn.execute(stmt).all()
            users = tuple(to_user_view(r, tx.now) for r in rows[:limit])
            return StaffPage(users, users[-1].id if len(rows) > limit else None)

        return self._ctx.read_as(actor, work)

    def create(
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        email: str,
        role: Role | str,
        temporary_password: str,
        phone: str = "",
    ) -> UserView:
        """A new teller or admin with a temporary password, changed at first sign-in (where
        they also enrol their second factor)."""
        return self._auth.create_user(
            actor,
            username=username,
            password=temporary_password,
            role=_staff_role(role),
            full_name=full_name,
            email=email,
            phone=phone,
            must_change_password=True,
        )

    def disable(self, actor: Actor, user_id: int) -> UserView:
        return self._auth.set_status(actor, user_id, "disabled")

    def enable(self, actor: Actor, user_id: int) -> UserView:
        return self._auth.set_status(actor, user_id, "active")

    def reset_password(self, actor: Actor, user_id: int, temporary_password: str) -> None:
        self._auth.reset_password(actor, user_id, temporary_password)

    def unlock(self, actor: Actor, user_id: int) -> UserView:
        return self._auth.unlock(actor, self._username(actor, user_id))

    def reset_second_factor(self, actor: Actor, user_id: int) -> None:
        self._totp.reset(actor, user_id)

    def change_role(self, actor: Actor, user_id: int, role: Role | str) -> UserView:
        """Make a teller an admin or the reverse. The user's open sessions end (a privilege
        change starts a new session; OWASP), and every call reads the role anyway."""
        new_role = _staff_role(role)

        def work(tx: Tx, caller: Caller) -> UserView:
            require_admin(caller)
            if user_id == caller.user_id:
                raise PermissionDenied("Another supervisor must change your role.")
            require_id(user_id, UserNotFound, "staff user")
            row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
            if row is None or Role(row.role) not in STAFF_ROLES:
                raise UserNotFound("No such staff user.")
            if row.role == new_role.value:
                raise ValidationFailed(f"{row.username} is already {new_role.value}.", field="role")
            tx.conn.execute(
                update(_users).where(_users.c.id == user_id).values(role=new_role.value)
            )
            end_user_sessions(tx, user_id, "role changed")
            audit.record(
                tx,
                caller,
                "user.role",
                f"user {row.username}",
                {"from": row.role, "to": new_role.value},
            )
            return user_view(tx, user_id)

        return self._ctx.write_as(actor, work)

    def _username(self, actor: Actor, user_id: int) -> str:
        def work(tx: Tx, caller: Caller) -> str:
            require_admin(caller)
            require_id(user_id, UserNotFound, "user")
            name = tx.conn.execute(
                select(_users.c.username).where(_users.c.id == user_id)
            ).scalar_one_or_none()
            if name is None:
                raise UserNotFound("No such user.")
            return str(name)

        return self._ctx.read_as(actor, work)
