"""Users: customers register themselves; admins (and tellers, for customers) create users;
profiles, enabling and disabling, and a user's own sign-in history. Part of `AuthService`
(see `bankapp.services.auth`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, update

from bankapp.domain.forms import ProfileInput, RegistrationInput, parse_form
from bankapp.domain.types import Actor, Caller, Role, SignInEvent, UserView
from bankapp.errors import UsernameTaken, UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import require_id, require_staff
from bankapp.services.auth.credentials import checked_password_hash
from bankapp.services.auth.user_rows import user_view
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import AuditEvent, User

_users = User
_events = AuditEvent
SIGN_IN_KINDS = ("login.success", "login.failure", "login.lockout")
MAX_SIGN_INS = 50


def registration_form(
    *,
    username: str,
    password: str,
    password_confirm: str,
    full_name: str,
    email: str,
    phone: str = "",
    address: str = "",
) -> RegistrationInput:
    return parse_form(
        RegistrationInput,
        username=username,
        password=password,
        password_confirm=password_confirm,
        full_name=full_name,
        email=email,
        phone=phone,
        address=address,
    )


def insert_user(
    tx: Tx,
    actor: Caller | None,
    form: RegistrationInput,
    digest: str,
    role: Role,
    *,
    must_change: bool,
    by: str,
    created_by: int | None = None,
) -> UserView:
    """The one insert of a user row, audited as made by `actor` (or `by`: self-registration,
    the operator); `created_by` is the staff member who set the access up (four eyes)."""
    exists = tx.conn.execute(select(_users.c.id).where(_users.c.username == form.username)).first()
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
            created_at=tx.now,
            totp_enabled=False,
            created_by=created_by,
        )
        .returning(_users.c.id)
    ).scalar_one()
    audit.record(
        tx, actor, "user.create", f"user {form.username}", {"role": role.value}, actor_name=by
    )
    return user_view(tx, user_id)


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed("Role must be customer, teller or admin.", field="role") from None


class UserRegistry:
    """Registration, user creation, profiles and status."""

    _ctx: ServiceContext

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
        form = registration_form(
            username=username,
            password=password,
            password_confirm=password_confirm,
            full_name=full_name,
            email=email,
            phone=phone,
            address=address,
        )
        digest = checked_password_hash(
            self._ctx, form.password, form.password_confirm, form.username
        )
        return self._ctx.db.write(
            lambda tx: insert_user(
                tx, None, form, digest, Role.CUSTOMER, must_change=False, by="self-registration"
            )
        )

    def create_user(
        self,
        actor: Actor,
        *,
        username: str,
        password: str,
        full_name: str,
        email: str,
        phone: str = "",
        address: str = "",
        must_change_password: bool = True,
    ) -> UserView:
        """Staff register a customer at the counter, with a first password the customer
        changes at their first sign-in. A new teller or admin is a request another admin
        approves (`bank.staff.create`); the first admin comes from the local operator
        (`bank.operator.create_user`)."""
        form = registration_form(
            username=username,
            password=password,
            password_confirm=password,
            full_name=full_name,
            email=email,
            phone=phone,
            address=address,
        )
        digest = checked_password_hash(self._ctx, form.password, form.password, form.username)

        def work(tx: Tx, caller: Caller) -> UserView:
            require_staff(caller)
            return insert_user(
                tx,
                caller,
                form,
                digest,
                Role.CUSTOMER,
                must_change=must_change_password,
                by=caller.username,
                created_by=caller.user_id,
            )

        return self._ctx.write_as(actor, work)

    def get_user(self, actor: Actor, user_id: int) -> UserView:
        """Yourself; staff also customers; only an admin reads another staff member."""

        def work(tx: Tx, caller: Caller) -> UserView:
            if user_id == caller.user_id:
                return user_view(tx, user_id)
            if not caller.is_staff:
                raise UserNotFound("No such user.")
            user = user_view(tx, user_id)
            if user.role != Role.CUSTOMER and caller.role != Role.ADMIN:
                raise UserNotFound("No such user.")
            return user

        return self._ctx.read_as(actor, work)

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

        def work(tx: Tx, caller: Caller) -> UserView:
            target = caller.user_id if user_id is None else require_id(user_id, UserNotFound)
            if target != caller.user_id:
                if not caller.is_staff:
                    raise UserNotFound("No such user.")
                role = tx.conn.execute(select(_users.c.role).where(_users.c.id == target)).scalar()
                if role is None or (role != Role.CUSTOMER and caller.role != Role.ADMIN):
                    raise UserNotFound("No such customer.")
            before = user_view(tx, target)
            tx.conn.execute(update(_users).where(_users.c.id == target).values(**form.model_dump()))
            changed = {
                k: "changed" for k, v in form.model_dump().items() if getattr(before, k) != v
            }
            audit.record(tx, caller, "user.profile", f"user {before.username}", changed)
            return user_view(tx, target)

        return self._ctx.write_as(actor, work)

    def sign_ins(self, actor: Actor, limit: int = 10) -> list[SignInEvent]:
        """The signed-in user's own latest sign-ins and failed attempts, newest first, so a
        customer can notice a stranger."""
        limit = max(1, min(limit, MAX_SIGN_INS))

        def work(tx: Tx, caller: Caller) -> list[SignInEvent]:
            rows = tx.conn.execute(
                select(_events.c.at, _events.c.kind, _events.c.details)
                .where(
                    _events.c.subject == f"user {caller.username}",
                    _events.c.kind.in_(SIGN_IN_KINDS),
                )
                .order_by(_events.c.seq.desc())
                .limit(limit)
            ).all()
            return [_sign_in_event(row) for row in rows]

        return self._ctx.read_as(actor, work)


def _sign_in_event(row: Any) -> SignInEvent:
    details = json.loads(row.details or "{}")
    kind = row.kind
    succeeded = kind == "login.success"
    if succeeded:
        method = str(details.get("method", "password"))
    elif kind == "login.lockout":
        method = "locked after too many failures"
    else:
        method = str(details.get("reason", "failed"))
    return SignInEvent(at=row.at, succeeded=succeeded, method=method)
