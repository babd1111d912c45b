"""Double-entry posting: one journal entry, balanced postings, balances updated in one go."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update

from bankapp.domain.account_numbers import new_account_number
from bankapp.domain.entry_kinds import require_entry_kind
from bankapp.domain.money import format_cents
from bankapp.domain.types import AccountKind, Caller, EntryResult
from bankapp.errors import (
    AccountNotFound,
    AccountNotOpen,
    IdempotencyConflict,
    InsufficientFunds,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.account_rows import insert_account
from bankapp.storage.bulk_rows import execute_rows
from bankapp.storage.database import Tx
from bankapp.storage.direct_statements import fetch_one, fetch_value
from bankapp.storage.memo_index import index_memos
from bankapp.storage.models import Account, JournalEntry, Posting

_accounts = Account
_entries = JournalEntry
_postings = Posting

# One statement moves a balance and checks the floor on the *available* balance (balance
# minus holds), so two concurrent debits, or a debit and a hold, cannot together overdraw:
# the second sees the first's result (row lock on PostgreSQL, write lock on SQLite).
_APPLY = (
    update(_accounts)
    .where(
        _accounts.c.id == bindparam("account_id"),
        _accounts.c.status == "open",
        or_(
            bindparam("amount") >= 0,
            _accounts.c.unbounded.is_(True),
            _accounts.c.balance - _accounts.c.held + bindparam("amount")
            >= -_accounts.c.credit_limit,
        ),
    )
    .values(balance=_accounts.c.balance + bindparam("amount"))
    .returning(_accounts.c.balance)
)
# Hot-path statements are built once: building a statement per call costs more CPU than
# running it, and SQLAlchemy then reuses the compiled SQL without recomputing its cache key.
_REPLAY = select(_entries).where(_entries.c.idempotency_key == bindparam("key"))
_REPLAY_LEGS = select(_postings.c.account_id, _postings.c.amount, _postings.c.balance_after).where(
    _postings.c.entry_id == bindparam("entry_id")
)
_NEW_ENTRY = insert(_entries).returning(_entries.c.id)
_NEW_POSTINGS = insert(_postings)


@dataclass(frozen=True)
class Leg:
    account_id: int
    amount: int  # positive: the account's balance goes up


@dataclass(frozen=True)
class AuditNote:
    """The audit event an entry is recorded with: its kind and what else it should say (the
    entry, its amount and every leg are added by `post_entry`). `subject` defaults to
    "entry <id>"."""

    kind: str
    details: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None
    actor_name: str | None = None  # who acted when no user did ("system" for a batch)


IDEMPOTENCY_KEY_MAX = 80


def caller_key(caller: Caller, key: object) -> str | None:
    """A caller's idempotency key in that caller's own namespace: the same key from another
    user is simply a different key, and no caller reaches the bank's own (`system_key`)."""
    if key is None or key == "":
        return None
    if not isinstance(key, str) or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise ValidationFailed(
            f"The request id must be printable text of at most {IDEMPOTENCY_KEY_MAX} "
            "characters; start a new form."
        )
    return f"u{caller.user_id}:{key}"


def system_key(key: str) -> str:
    """A key the bank makes for itself (an approval, a batch job)."""
    return f"sys:{key}"


def request_fingerprint(fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(dict(fields), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_replay(tx: Tx, idempotency_key: str | None, fingerprint: str) -> EntryResult | None:
    """The first result for this key, or None; a key reused for another request is refused."""
    if not idempotency_key:
        return None
    entry = fetch_one(tx.conn, _REPLAY, {"key": idempotency_key})
    if entry is None:
        return None
    if entry.request_hash != fingerprint:
        raise IdempotencyConflict(
            "This request id was already used for a different operation; start a new form."
        )
    legs = tx.conn.execute(_REPLAY_LEGS, {"entry_id": entry.id}).all()
    return EntryResult(
        entry_id=entry.id,
        kind=entry.kind,
        amount=sum(leg.amount for leg in legs if leg.amount > 0),
        created_at=entry.created_at,
        balances={leg.account_id: leg.balance_after for leg in legs},
        replayed=True,
    )


def post_entry(
    tx: Tx,
    *,
    kind: str,
    memo: str,
    actor: Caller | None,
    legs: Sequence[Leg],
    audit_note: AuditNote,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    currency: str = "USD",
    card_id: int | None = None,
) -> EntryResult:
    """Write a balanced entry, apply each leg and record its one audit event (naming every
    leg, so verify can prove the entry unchanged); raises, rolling everything back, on a
    breach."""
    if len(legs) < 2 or sum(leg.amount for leg in legs) != 0:
        raise ValidationFailed("A journal entry needs two or more legs that sum to zero.")
    require_entry_kind(kind)
    entry_id = fetch_value(
        tx.conn,
        _NEW_ENTRY,
        {
            "kind": kind,
            "memo": memo,
            "actor_id": actor.user_id if actor else None,
            "created_at": tx.now,
            "idempotency_key": idempotency_key or None,
            "request_hash": fingerprint,
            "card_id": card_id,
        },
    )
    balances: dict[int, int] = {}
    # A fixed lock order (by account id) keeps two opposite transfers from deadlocking.
    for leg in sorted(legs, key=lambda leg: leg.account_id):
        new_balance = fetch_value(
            tx.conn, _APPLY, {"account_id": leg.account_id, "amount": leg.amount}
        )
        if new_balance is None:
            raise _why_refused(tx, leg, currency)
        balances[leg.account_id] = new_balance
    execute_rows(
        tx.conn,
        _NEW_POSTINGS,
        [
            {
                "entry_id": entry_id,
                "account_id": leg.account_id,
                "amount": leg.amount,
                "balance_after": balances[leg.account_id],
                "created_at": tx.now,
            }
            for leg in legs
        ],
    )
    index_memos(tx.conn, entry_id, entry_id)
    moved = sum(leg.amount for leg in legs if leg.amount > 0)
    audit.record(
        tx,
        actor,
        audit_note.kind,
        audit_note.subject or f"entry {entry_id}",
        {"amount": moved, **audit_note.details},
        entry_id=entry_id,
        legs=audit.legs_text((leg.account_id, leg.amount) for leg in legs),
        actor_name=audit_note.actor_name,
    )
    return EntryResult(
        entry_id=entry_id,
        kind=kind,
        amount=moved,
        created_at=tx.now,
        balances=balances,
    )


def _why_refused(tx: Tx, leg: Leg, currency: str) -> Exception:
    row = tx.conn.execute(
        select(
            _accounts.c.status, _accounts.c.balance, _accounts.c.held, _accounts.c.credit_limit
        ).where(_accounts.c.id == leg.account_id)
    ).one_or_none()
    if row is None:
        return AccountNotFound("No such account.")
    if row.status != "open":
        return AccountNotOpen(f"The account is {row.status}; no money can move in or out of it.")
    available = row.balance - row.held + row.credit_limit
    return InsufficientFunds(format_cents(available, currency), format_cents(-leg.amount, currency))


def internal_account(tx: Tx, code: str, name: str, currency: str) -> int:
    """The id of the internal account `code`, created on first use (bank cash, drawers...)."""
    found = tx.conn.execute(
        select(_accounts.c.id).where(_accounts.c.internal_code == code)
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    return insert_account(
        tx,
        number=new_account_number,
        owner_id=None,
        kind=AccountKind.INTERNAL,
        name=name,
        currency=currency,
        internal_code=code,
    )


BANK_CASH = "cash:bank"


def has_postings(tx: Tx, account_id: int) -> bool:
    """True once any money has moved on the account (it then has history to keep)."""
    found = tx.conn.execute(
        select(_postings.c.id).where(_postings.c.account_id == account_id).limit(1)
    ).first()
    return found is not None
