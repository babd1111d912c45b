"""Who may do what: load the actor and the account, and refuse what the actor may not touch."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from bankapp.domain.account_numbers import mask_account_number, normalise_account_number
from bankapp.domain.types import AccountKind, AccountStatus, AccountView, Actor, Role
from bankapp.errors import AccountNotFound, AccountNotOpen, PermissionDenied, UserNotFound
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, User, table_of

_accounts = table_of(Account)
_users = table_of(User)
# Built once: these run in every money operation (see bankapp.bench).
_ACTIVE_USER = select(_users.c.id, _users.c.role, _users.c.status, _users.c.full_name).where(
    _users.c.id == bindparam("user_id")
)
_ACCOUNT_BY_ID = select(_accounts).where(_accounts.c.id == bindparam("account_id"))
_ACCOUNT_BY_NUMBER = select(_accounts).where(_accounts.c.number == bindparam("number"))
_OWNER_NAME = select(_users.c.full_name).where(_users.c.id == bindparam("user_id"))


def require_active(tx: Tx, actor: Actor) -> Any:
    """The actor's user row; refused if the user was disabled or their role changed."""
    row = tx.conn.execute(_ACTIVE_USER, {"user_id": actor.user_id}).one_or_none()
    if row is None or row.status != "active" or row.role != actor.role:
        raise PermissionDenied("Your session is no longer valid; sign in again.")
    return row


def require_staff(tx: Tx, actor: Actor) -> None:
    require_active(tx, actor)
    if not actor.is_staff:
        raise PermissionDenied("Only bank staff can do that.")


def require_admin(tx: Tx, actor: Actor) -> None:
    require_active(tx, actor)
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only a supervisor (admin) can do that.")


def load_account(tx: Tx, account_id: int) -> Any:
    row = tx.conn.execute(_ACCOUNT_BY_ID, {"account_id": account_id}).one_or_none()
    if row is None:
        raise AccountNotFound("No such account.")
    return row


def load_account_by_number(tx: Tx, number: str) -> Any:
    digits = normalise_account_number(number)
    row = tx.conn.execute(_ACCOUNT_BY_NUMBER, {"number": digits}).one_or_none()
    if row is None or row.kind == AccountKind.INTERNAL:
        raise AccountNotFound(
            f"No account with number {digits[:34]!r}; check the digits.", field="destination"
        )
    return row


def require_account_access(actor: Actor, account: Any) -> None:
    """Customers reach only their own accounts; staff reach every customer's account."""
    if account.kind == AccountKind.INTERNAL:
        if actor.role != Role.ADMIN:
            raise AccountNotFound("No such account.")
        return
    if actor.role == Role.CUSTOMER and account.owner_id != actor.user_id:
        # Same answer as a missing account: a customer learns nothing about others' accounts.
        raise AccountNotFound("No such account.")


def accessible_account(tx: Tx, actor: Actor, account_id: int) -> Any:
    require_active(tx, actor)
    account = load_account(tx, account_id)
    require_account_access(actor, account)
    return account


def owner_name(tx: Tx, owner_id: int | None) -> str:
    if owner_id is None:
        return "Bank"
    name = tx.conn.execute(_OWNER_NAME, {"user_id": owner_id}).scalar()
    return str(name or "")


def to_view(row: Any, owner: str) -> AccountView:
    return AccountView(
        id=row.id,
        number=row.number,
        owner_id=row.owner_id,
        owner_name=owner,
        kind=AccountKind(row.kind),
        name=row.name,
        currency=row.currency,
        balance=row.balance,
        credit_limit=row.credit_limit,
        status=AccountStatus(row.status),
        opened_at=row.opened_at,
        closed_at=row.closed_at,
    )


def describe(row: Any) -> str:
    """How an account is named in memos, history and audit: its name and masked number."""
    if row.kind == AccountKind.INTERNAL:
        return str(row.name)
    return f"{row.name} {mask_account_number(row.number)}"


def require_open_for_money(account: Any, *, field: str = "account") -> None:
    """The one rule for an account taking part in a money movement: a customer's account
    (internal accounts are the bank's own) that is open (not frozen, not closed)."""
    if account.kind == AccountKind.INTERNAL:
        raise PermissionDenied("Internal accounts cannot be used here.")
    if account.status != AccountStatus.OPEN:
        raise AccountNotOpen(
            f"{describe(account)} is {account.status}; no money can move in or out of it.",
            field=field,
        )


def customer_for(tx: Tx, actor: Actor, owner_id: int | None, *, holding: str) -> int:
    """The customer whose `holding` (accounts, cards) the actor acts on: a customer always
    themselves; staff must name a customer (staff hold none)."""
    require_active(tx, actor)
    if owner_id is None or owner_id == actor.user_id:
        if actor.role != Role.CUSTOMER:
            raise PermissionDenied(f"Staff hold no {holding}; choose a customer.")
        return actor.user_id
    if not actor.is_staff:
        raise PermissionDenied(f"You can only manage your own {holding}.")
    role = tx.conn.execute(select(_users.c.role).where(_users.c.id == owner_id)).scalar()
    if role != Role.CUSTOMER:
        raise UserNotFound("No such customer.")
    return owner_id
