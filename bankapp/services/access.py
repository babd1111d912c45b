"""Who may do what: given the verified caller (see `sessions`), load an account and refuse what
the caller may not touch; and trim results to what the caller may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, or_, select

from bankapp.domain.account_numbers import mask_account_number, normalise_account_number
from bankapp.domain.types import (
    AccountKind,
    AccountStatus,
    AccountView,
    Caller,
    EntryResult,
    Role,
)
from bankapp.errors import (
    AccountNotFound,
    AccountNotOpen,
    NotFound,
    PermissionDenied,
    UserNotFound,
)
from bankapp.storage.database import Tx
from bankapp.storage.direct_statements import fetch_one, fetch_rows
from bankapp.storage.models import Account, User

_accounts = Account
_users = User
MAX_ID = 2**63 - 1
# Built once: these run in every money operation (see bankapp.bench).
_ACCOUNT_BY_ID = select(_accounts).where(_accounts.c.id == bindparam("account_id"))
_ACCOUNT_BY_NUMBER = select(_accounts).where(_accounts.c.number == bindparam("number"))
_SOURCE_OR_TARGET = select(_accounts).where(
    or_(_accounts.c.id == bindparam("account_id"), _accounts.c.number == bindparam("number"))
)
_OWNER_NAME = select(_users.c.full_name).where(_users.c.id == bindparam("user_id"))
_WHOSE = select(
    _accounts.c.id, _accounts.c.kind, _accounts.c.owner_id, _accounts.c.internal_code
).where(_accounts.c.id.in_(bindparam("ids", expanding=True)))


def require_staff(caller: Caller) -> None:
    if not caller.is_staff:
        raise PermissionDenied("Only bank staff can do that.")


def require_admin(caller: Caller) -> None:
    if caller.role != Role.ADMIN:
        raise PermissionDenied("Only a supervisor (admin) can do that.")


def require_id(value: object, error: type[NotFound] = NotFound, what: str = "record") -> int:
    """An id a caller passed: a positive 64-bit integer, else the same answer as for an id
    that does not exist (so no database-specific range error reaches anyone)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise error(f"No such {what}.")
    return value


def load_account(tx: Tx, account_id: int) -> Any:
    require_id(account_id, AccountNotFound, "account")
    row = fetch_one(tx.conn, _ACCOUNT_BY_ID, {"account_id": account_id})
    if row is None:
        raise AccountNotFound("No such account.")
    return row


def load_account_by_number(tx: Tx, number: str) -> Any:
    if not isinstance(number, str):
        raise AccountNotFound("Type the account number to send to.", field="destination")
    digits = normalise_account_number(number[:80])
    return _destination(fetch_one(tx.conn, _ACCOUNT_BY_NUMBER, {"number": digits}), digits)


def _destination(row: Any, digits: str) -> Any:
    """The account a payment may be sent to: any customer's, never the bank's own."""
    if row is None or row.kind == AccountKind.INTERNAL:
        raise AccountNotFound(
            f"No account with number {digits[:34]!r}; check the digits.", field="destination"
        )
    return row


def transfer_parties(tx: Tx, caller: Caller, source_id: int, number: str) -> tuple[Any, Any]:
    """`accessible_account(source_id)` and `load_account_by_number(number)` in one statement
    (a transfer's two account reads), with the same refusals in the same order."""
    if not isinstance(number, str):
        return accessible_account(tx, caller, source_id), load_account_by_number(tx, number)
    require_id(source_id, AccountNotFound, "account")
    digits = normalise_account_number(number[:80])
    rows = fetch_rows(tx.conn, _SOURCE_OR_TARGET, {"account_id": source_id, "number": digits})
    source = next((row for row in rows if row.id == source_id), None)
    if source is None:
        raise AccountNotFound("No such account.")
    require_account_access(caller, source)
    return source, _destination(next((row for row in rows if row.number == digits), None), digits)


def may_see_account(caller: Caller, account: Any) -> bool:
    """Customers see only their own accounts; staff every customer's account; internal
    accounts (the bank's cash, drawers, settlement) only admins."""
    if account.kind == AccountKind.INTERNAL:
        return caller.role == Role.ADMIN
    return caller.role != Role.CUSTOMER or account.owner_id == caller.user_id


def require_account_access(caller: Caller, account: Any) -> None:
    if not may_see_account(caller, account):
        # Same answer as a missing account: a customer learns nothing about others' accounts.
        raise AccountNotFound("No such account.")


def accessible_account(tx: Tx, caller: Caller, account_id: int) -> Any:
    account = load_account(tx, account_id)
    require_account_access(caller, account)
    return account


def accessible_accounts(tx: Tx, caller: Caller, account_ids: list[int]) -> list[Any]:
    """`accessible_account` for several ids in one query: the same refusal, for the first id
    that is missing or not the caller's to see."""
    for account_id in account_ids:
        require_id(account_id, AccountNotFound, "account")
    if not account_ids:
        return []
    rows = tx.conn.execute(select(_accounts).where(_accounts.c.id.in_(account_ids))).all()
    found = {row.id: row for row in rows}
    for account_id in account_ids:
        if account_id not in found:
            raise AccountNotFound("No such account.")
        require_account_access(caller, found[account_id])
    return [found[account_id] for account_id in account_ids]


def customer_account(tx: Tx, caller: Caller, account_id: int) -> Any:
    """An account the caller may act on that is a customer's: the bank's internal accounts
    (cash, vault, drawers, clearing, settlement, ATM, interest) are never frozen, renamed or
    closed through the services, whoever asks."""
    account = accessible_account(tx, caller, account_id)
    if account.kind == AccountKind.INTERNAL:
        raise PermissionDenied("The bank's internal accounts cannot be changed.")
    return account


def visible_balances(
    tx: Tx, caller: Caller, balances: dict[int, int], known: Iterable[Any] = ()
) -> dict[int, int]:
    """The balances in a result that the caller may see: a transfer to someone else returns
    the sender's side only, and nobody but an admin reads an internal account's balance
    (a teller sees their own drawer). `known` are account rows this transaction has already
    read (only whose account it is matters, which a transaction never changes)."""
    if caller.role == Role.ADMIN or not balances:
        return dict(balances)
    rows = {row.id: row for row in known if row.id in balances}
    missing = [account for account in balances if account not in rows]
    if missing:
        rows.update((row.id, row) for row in tx.conn.execute(_WHOSE, {"ids": missing}))
    own_drawer = f"drawer:{caller.user_id}:"
    shown = {
        row.id
        for row in rows.values()
        if may_see_account(caller, row)
        or (caller.is_staff and (row.internal_code or "").startswith(own_drawer))
    }
    return {account: balance for account, balance in balances.items() if account in shown}


def owner_name(tx: Tx, owner_id: int | None) -> str:
    if owner_id is None:
        return "Bank"
    name = tx.conn.execute(_OWNER_NAME, {"user_id": owner_id}).scalar()
    return str(name or "")


def holder_shown_to(tx: Tx, caller: Caller, owner_id: int | None) -> str:
    """An account holder's name as `caller` may see it: a customer sees another customer as
    initial and surname only (what the transfer form confirms), staff see it in full."""
    holder = owner_name(tx, owner_id)
    if caller.role == Role.CUSTOMER and owner_id is not None and owner_id != caller.user_id:
        parts = holder.split()
        holder = f"{parts[0][0]}. {parts[-1]}" if len(parts) > 1 else holder
    return holder


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
        held=row.held,
    )


def holder_name(tx: Tx, caller: Caller, row: Any) -> str:
    """How the holder of account `row` is named to the caller (`holder_shown_to`)."""
    return holder_shown_to(tx, caller, row.owner_id)


def describe(row: Any) -> str:
    """How an account is named in memos, history and audit: its name and masked number."""
    if row.kind == AccountKind.INTERNAL:
        return str(row.name)
    return f"{row.name} {mask_account_number(row.number)}"


def shown_result(
    tx: Tx, caller: Caller, result: EntryResult, known: Iterable[Any] = ()
) -> EntryResult:
    """A money result as the caller may see it (`visible_balances`)."""
    return replace(result, balances=visible_balances(tx, caller, result.balances, known))


def require_open_for_money(
    account: Any, *, field: str = "account", caller: Caller | None = None
) -> None:
    """The one rule for an account taking part in a money movement: a customer's account
    (internal accounts are the bank's own) that is open (not frozen, not closed). A caller
    who may not see the account (someone else's, as a transfer's destination) is told only
    that it cannot receive money, never its name or state."""
    if account.kind == AccountKind.INTERNAL:
        raise PermissionDenied("Internal accounts cannot be used here.")
    if account.status != AccountStatus.OPEN:
        if caller is not None and not may_see_account(caller, account):
            raise AccountNotOpen("That account cannot receive money.", field=field)
        raise AccountNotOpen(
            f"{describe(account)} is {account.status}; no money can move in or out of it.",
            field=field,
        )


def customer_for(
    tx: Tx, caller: Caller, owner_id: int | None, *, holding: str, new: bool = False
) -> int:
    """The customer whose `holding` (accounts, cards) the caller acts on: a customer always
    themselves; staff must name a customer (staff hold none). With `new` (opening, issuing)
    the customer must not be disabled."""
    if owner_id is None or owner_id == caller.user_id:
        if caller.role != Role.CUSTOMER:
            raise PermissionDenied(f"Staff hold no {holding}; choose a customer.")
        return caller.user_id
    if not caller.is_staff:
        raise PermissionDenied(f"You can only manage your own {holding}.")
    require_id(owner_id, UserNotFound, "customer")
    role = tx.conn.execute(select(_users.c.role).where(_users.c.id == owner_id)).scalar()
    if role != Role.CUSTOMER:
        raise UserNotFound("No such customer.")
    if new:
        require_active_customer(tx, owner_id)
    return owner_id


def require_active_customer(tx: Tx, owner_id: int) -> None:
    """A customer new accounts, cards or credit may be given to: one whose access is not
    disabled (a disabled customer keeps what they have, and gets nothing new)."""
    row = tx.conn.execute(
        select(_users.c.role, _users.c.status).where(_users.c.id == owner_id)
    ).one_or_none()
    if row is None or row.role != Role.CUSTOMER:
        raise UserNotFound("No such customer.")
    if row.status != "active":
        raise PermissionDenied(
            "This customer is disabled; nothing new can be opened or issued for them."
        )
