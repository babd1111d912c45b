"""User administration by admins: who may sign in, with which role and credentials.

What widens someone's access waits for a *different* admin (`approvals`, four eyes): a new
teller or admin, a raised role, a staff user enabled again, a password or second-factor
reset (of anyone), unlocking a staff user. What narrows it happens at once: disabling a user
(their sessions end and their pending requests are voided), lowering a role, unlocking a
customer or enabling one again. The local operator bootstraps the first admin
(`bank.operator`); nobody here sets a password: an approved reset generates one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from bankapp.domain.types import STAFF_ROLES, Actor, Caller, Role, UserView
from bankapp.errors import PermissionDenied, UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import require_admin, require_id
from bankapp.services.approvals.items import (
    PASSWORD_RESET,
    SECOND_FACTOR_RESET,
    STAFF_CREATE,
    STAFF_ENABLE,
    STAFF_ROLE,
    STAFF_UNLOCK,
    ApprovalView,
    file_request,
    void_requests_about,
)
from bankapp.services.auth.throttle import clear, throttle_name
from bankapp.services.auth.user_rows import to_user_view, user_view, users_with_lock
from bankapp.services.auth.users import registration_form
from bankapp.services.context import ServiceContext
from bankapp.services.sessions import end_user_sessions
from bankapp.storage.database import Tx
from bankapp.storage.models import User

_users = User
MAX_PAGE = 100
# A placeholder that passes the form's password rule while a new user's details are checked;
# the real temporary password is generated when the request is approved.
_FORM_ONLY = "placeholder-for-form-check"


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


def _subject(tx: Tx, caller: Caller, user_id: int) -> Any:
    """The user an admin acts on: anyone but themselves (another admin must)."""
    require_admin(caller)
    require_id(user_id, UserNotFound, "user")
    if user_id == caller.user_id:
        raise PermissionDenied("Another supervisor must change your own access.")
    row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
    if row is None:
        raise UserNotFound("No such user.")
    return row


class StaffService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

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

    # -- widening access: a request for another admin ------------------------------------

    def create(
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        email: str,
        role: Role | str,
        phone: str = "",
        idempotency_key: str | None = None,
    ) -> ApprovalView:
        """Ask for a new teller or admin. When another admin approves, the user is created
        with a generated temporary password, shown once to that admin to hand over."""
        wanted = _staff_role(role)
        form = registration_form(
            username=username,
            password=_FORM_ONLY,
            password_confirm=_FORM_ONLY,
            full_name=full_name,
            email=email,
            phone=phone,
        )
        details = {
            "username": form.username,
            "full_name": form.full_name,
            "email": form.email,
            "phone": form.phone,
            "role": wanted.value,
        }

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            require_admin(caller)
            taken = tx.conn.execute(
                select(_users.c.id).where(_users.c.username == form.username)
            ).first()
            if taken:
                raise ValidationFailed("That username is taken; choose another.", field="username")
            return file_request(
                tx, caller, STAFF_CREATE, payload=details, idempotency_key=idempotency_key
            )

        return self._ctx.write_as(actor, work)

    def change_role(self, actor: Actor, user_id: int, role: Role | str) -> UserView | ApprovalView:
        """Lower an admin to teller at once, or ask for a teller to become an admin. Either
        way the user's open sessions end when the role changes (OWASP)."""
        wanted = _staff_role(role)

        def work(tx: Tx, caller: Caller) -> UserView | ApprovalView:
            row = _subject(tx, caller, user_id)
            if Role(row.role) not in STAFF_ROLES:
                raise UserNotFound("No such staff user.")
            if row.role == wanted.value:
                raise ValidationFailed(f"{row.username} is already {wanted.value}.", field="role")
            if wanted == Role.ADMIN:
                return file_request(
                    tx, caller, STAFF_ROLE, target_user_id=row.id, payload={"to": wanted.value}
                )
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == row.id)
                .values(role=wanted.value, changed_by=caller.user_id)
            )
            end_user_sessions(tx, row.id, "role changed")
            audit.record(
                tx, caller, "user.role", f"user {row.username}", {"from": row.role, "to": wanted}
            )
            return user_view(tx, row.id)

        return self._ctx.write_as(actor, work)

    def reset_password(self, actor: Actor, user_id: int) -> ApprovalView:
        """Ask for a user's password to be reset. The approving admin receives a generated
        temporary password; the user must change it and is told who reset it and when."""
        return self._request_about(actor, user_id, PASSWORD_RESET)

    def reset_second_factor(self, actor: Actor, user_id: int) -> ApprovalView:
        """Ask for a user's second factor to be cleared (staff enrol again at sign-in)."""
        return self._request_about(actor, user_id, SECOND_FACTOR_RESET)

    def enable(self, actor: Actor, user_id: int) -> UserView | ApprovalView:
        """Enable a disabled user: a customer at once, a staff user by request."""

        def work(tx: Tx, caller: Caller) -> UserView | ApprovalView:
            row = _subject(tx, caller, user_id)
            if row.status == "active":
                raise ValidationFailed(f"{row.username} is already active.")
            if Role(row.role) in STAFF_ROLES:
                return file_request(tx, caller, STAFF_ENABLE, target_user_id=row.id)
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == row.id)
                .values(status="active", changed_by=caller.user_id)
            )
            audit.record(tx, caller, "user.enable", f"user {row.username}")
            return user_view(tx, row.id)

        return self._ctx.write_as(actor, work)

    def unlock(self, actor: Actor, user_id: int) -> UserView | ApprovalView:
        """Lift a sign-in lock: a customer's at once, a staff user's by request."""

        def work(tx: Tx, caller: Caller) -> UserView | ApprovalView:
            row = _subject(tx, caller, user_id)
            if Role(row.role) in STAFF_ROLES:
                return file_request(tx, caller, STAFF_UNLOCK, target_user_id=row.id)
            clear(tx, throttle_name(row.username))
            audit.record(tx, caller, "user.unlock", f"user {row.username}")
            return user_view(tx, row.id)

        return self._ctx.write_as(actor, work)

    # -- narrowing access: at once -------------------------------------------------------

    def disable(self, actor: Actor, user_id: int) -> UserView:
        """Disable any user but oneself: their sessions end now and every request they made,
        are the subject of, or that moves their money is voided."""

        def work(tx: Tx, caller: Caller) -> UserView:
            row = _subject(tx, caller, user_id)
            if row.status == "disabled":
                raise ValidationFailed(f"{row.username} is already disabled.")
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == row.id)
                .values(status="disabled", changed_by=caller.user_id)
            )
            end_user_sessions(tx, row.id, "disabled by staff")
            voided = void_requests_about(tx, row.id, f"{row.username} was disabled")
            audit.record(
                tx, caller, "user.disable", f"user {row.username}", {"requests_voided": voided}
            )
            return user_view(tx, row.id)

        return self._ctx.write_as(actor, work)

    def _request_about(self, actor: Actor, user_id: int, kind: str) -> ApprovalView:
        def work(tx: Tx, caller: Caller) -> ApprovalView:
            row = _subject(tx, caller, user_id)
            return file_request(tx, caller, kind, target_user_id=row.id)

        return self._ctx.write_as(actor, work)
