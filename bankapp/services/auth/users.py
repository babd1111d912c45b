"""Users: customers register themselves; admins (and tellers, for customers) create users;
profiles and enabling/disabling. Part of `AuthService` (see `bankapp.services.auth`)."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from bankapp.domain.forms import ProfileInput, RegistrationInput, parse_form
from bankapp.domain.types import Actor, Role, UserView
from bankapp.errors import PermissionDenied, UsernameTaken, UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import require_active, require_admin
from bankapp.services.auth.credentials import checked_password_hash
from bankapp.services.auth.user_rows import user_view
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import User, table_of

_users = table_of(User)


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
        digest = checked_password_hash(
            self._ctx, form.password, form.password_confirm, form.username
        )
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
        digest = checked_password_hash(self._ctx, form.password, form.password, form.username)

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
        return user_view(tx, user_id)

    def get_user(self, actor: Actor, user_id: int) -> UserView:
        def work(tx: Tx) -> UserView:
            require_active(tx, actor)
            if actor.role == Role.CUSTOMER and user_id != actor.user_id:
                raise UserNotFound("No such user.")
            return user_view(tx, user_id)

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
            before = user_view(tx, target)
            tx.conn.execute(update(_users).where(_users.c.id == target).values(**form.model_dump()))
            changed = {
                k: "changed" for k, v in form.model_dump().items() if getattr(before, k) != v
            }
            audit.record(tx, actor, "user.profile", f"user {before.username}", changed)
            return user_view(tx, target)

        return self._ctx.db.write(work)

    def set_status(self, actor: Actor, user_id: int, status: str) -> UserView:
        """Disable or re-enable a user (admin only; an admin cannot disable themselves)."""
        if status not in ("active", "disabled"):
            raise ValidationFailed("Status must be active or disabled.", field="status")

        def work(tx: Tx) -> UserView:
            require_admin(tx, actor)
            if user_id == actor.user_id:
                raise PermissionDenied("You cannot change your own status.")
            user = user_view(tx, user_id)
            tx.conn.execute(update(_users).where(_users.c.id == user_id).values(status=status))
            audit.record(
                tx,
                actor,
                f"user.{'enable' if status == 'active' else 'disable'}",
                f"user {user.username}",
            )
            return user_view(tx, user_id)

        return self._ctx.db.write(work)
