"""Creating ledger accounts: the one insert every kind of account goes through (customer,
credit card, internal), drawing a new random number when one collides."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from bankapp.domain.types import AccountKind
from bankapp.errors import ValidationFailed
from bankapp.storage.database import Tx
from bankapp.storage.models import Account

_accounts = Account
NUMBER_ATTEMPTS = 5
_NEW_ACCOUNT = insert(_accounts).returning(_accounts.c.id)


def insert_account(
    tx: Tx,
    *,
    number: Callable[[], str],
    owner_id: int | None,
    kind: AccountKind,
    name: str,
    currency: str,
    credit_limit: int = 0,
    internal_code: str | None = None,
) -> int:
    """Insert an open account with a zero balance and return its id. `number` draws an
    account number; a collision with an existing one rolls back to a savepoint and draws
    again. Internal accounts (the bank's own) have no floor."""
    for _ in range(NUMBER_ATTEMPTS):
        try:
            with tx.conn.begin_nested():
                return int(
                    tx.conn.execute(
                        _NEW_ACCOUNT,
                        {
                            "number": number(),
                            "owner_id": owner_id,
                            "kind": kind.value,
                            "name": name,
                            "currency": currency,
                            "balance": 0,
                            "credit_limit": credit_limit,
                            "unbounded": kind == AccountKind.INTERNAL,
                            "status": "open",
                            "internal_code": internal_code,
                            "opened_at": tx.now,
                        },
                    ).scalar_one()
                )
        except IntegrityError:
            if internal_code is not None:
                # Another transaction created this internal account first (PostgreSQL: the
                # unique code, not the number, collided): use that one.
                found = tx.conn.execute(
                    select(_accounts.c.id).where(_accounts.c.internal_code == internal_code)
                ).scalar_one_or_none()
                if found is not None:
                    return int(found)
            continue  # a random number collided with an existing one; draw again
    raise ValidationFailed("Could not allocate an account number; try again.")
