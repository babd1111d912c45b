"""What only the local operator does: the person at the server who holds the database and
the installation key (see SECURITY.md, "Trust model"). The CLI (`create-user`, `unlock`,
`settings`) and the demo builder use it; no screen does (`tests/architecture` checks that),
and a future API must not expose it. Every action is audited as "operator"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from bankapp.domain.card_types import CardStatus
from bankapp.domain.types import AccountStatus, Role, UserView
from bankapp.domain.validation import clean_username
from bankapp.errors import UserNotFound
from bankapp.services import audit
from bankapp.services.accounts import cancel_account_cards
from bankapp.services.auth.credentials import checked_password_hash
from bankapp.services.auth.second_factor import TotpService
from bankapp.services.auth.throttle import clear
from bankapp.services.auth.user_rows import user_view
from bankapp.services.auth.users import insert_user, parse_role, registration_form
from bankapp.services.close_day import DayClosed, Progress, close_as_operator
from bankapp.services.context import ServiceContext
from bankapp.services.installation_settings import SettingView, list_settings, planned_change
from bankapp.services.key_rotation import rotate_key
from bankapp.services.seals import SealView, check_seal_line, write_seal
from bankapp.services.setting_changes import SettingChange, change_setting
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Card, User

_users = User
_accounts = Account
_cards = Card
OPERATOR = "operator"


class OperatorService:
    def __init__(self, ctx: ServiceContext, totp: TotpService) -> None:
        self._ctx = ctx
        self._totp = totp

    def seal(self, business_date: date | None = None) -> SealView:
        """Seal the books now (`bankapp audit seal`), for today unless a date is given."""
        return self._ctx.db.write(
            lambda tx: write_seal(tx, business_date or tx.now.date(), sealed_by=None)
        )

    def check_seal(self, line: str) -> list[str]:
        """Problems proving nothing up to the seal `line` changed (empty: proved)."""
        return self._ctx.db.read(lambda tx: check_seal_line(tx.conn, self._ctx.db.keys, line))

    def close_day(
        self,
        business_date: date | None = None,
        *,
        progress: Callable[[Progress], None] | None = None,
    ) -> list[DayClosed]:
        """`bankapp close-day`: close of business run by the local operator."""
        return close_as_operator(self._ctx, business_date, progress=progress)

    def settings(self) -> tuple[SettingView, ...]:
        """Every installation setting as the database holds it (`bankapp settings show`)."""
        return self._ctx.db.read(lambda tx: list_settings(tx, self._ctx))

    def set_setting(self, name: str, value: str) -> SettingChange:
        """Change a setting now (`bankapp settings set`): the local operator holds the
        database and the key (SECURITY.md), so no second admin is asked; audited as
        "operator", with the old and the new value, by the code an approval uses."""

        def work(tx: Tx) -> SettingChange:
            spec, _old, new, revision = planned_change(tx, self._ctx, name, value)
            return change_setting(tx, self._ctx, spec, revision, new, by=None)

        change = self._ctx.db.write(work)
        self._ctx.reload_settings()
        return change

    def rotate_key(self) -> str:
        return rotate_key(self._ctx, self._totp, operator=OPERATOR)

    def create_user(
        self,
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
        """Any user, the first admin included (how a new bank starts)."""
        wanted = parse_role(role)
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
        return self._ctx.db.write(
            lambda tx: insert_user(
                tx, None, form, digest, wanted, must_change=must_change_password, by=OPERATOR
            )
        )

    def unlock(self, username: str) -> UserView:
        """Lift a user's sign-in lock."""
        name = clean_username(username)

        def work(tx: Tx) -> UserView:
            user_id = self._user_id(tx, name)
            clear(tx, name)
            audit.record(tx, None, "user.unlock", f"user {name}", actor_name=OPERATOR)
            return user_view(tx, user_id)

        return self._ctx.db.write(work)

    def cancel_cards_of_closed_accounts(self) -> list[str]:
        """Cards still usable on an account that is closed: left so by builds before
        closing an account cancelled its cards (`bankapp init` runs this). Each is
        cancelled now and audited as the operator's; the masked numbers. Idempotent."""

        def work(tx: Tx) -> list[str]:
            usable = (CardStatus.ACTIVE.value, CardStatus.FROZEN.value)
            closed = tx.conn.execute(
                select(_accounts.c.id)
                .join(_cards, _cards.c.account_id == _accounts.c.id)
                .where(
                    _accounts.c.status == AccountStatus.CLOSED.value, _cards.c.status.in_(usable)
                )
                .distinct()
                .order_by(_accounts.c.id)
            ).scalars()
            cancelled: list[str] = []
            for account_id in list(closed):
                cancelled += cancel_account_cards(tx, None, account_id, actor_name=OPERATOR)
            return cancelled

        return self._ctx.db.write(work)

    def enrol_second_factor(self, username: str, secret: str) -> None:
        """Enrol a user with a known TOTP secret (the demo's published keys)."""
        name = clean_username(username)

        def work(tx: Tx) -> None:
            self._totp._store_secret(tx, self._user_id(tx, name), secret)
            audit.record(tx, None, "totp.enrol", f"user {name}", actor_name=OPERATOR)

        self._ctx.db.write(work)

    @staticmethod
    def _user_id(tx: Tx, name: str) -> int:
        found = tx.conn.execute(
            select(_users.c.id).where(_users.c.username == name)
        ).scalar_one_or_none()
        if found is None:
            raise UserNotFound(f"No user named {name!r}.")
        return int(found)
