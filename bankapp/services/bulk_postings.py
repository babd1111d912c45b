"""The batch's posting path: many two-leg entries from one account in one transaction.

The same rules as `ledger.post_entry` (balanced entries, one audit event per entry naming its
legs, each entry once by its idempotency key), with the work done per batch instead of per
entry: one insert of the entries, one of the postings, one balance update per account and
one insert of the chained audit events. Used by the close of business (interest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update

from bankapp.domain.entry_kinds import require_entry_kind
from bankapp.services import audit
from bankapp.storage.bulk_rows import execute_rows
from bankapp.storage.database import Tx, conditional_updates
from bankapp.storage.memo_index import index_memos
from bankapp.storage.models import Account, JournalEntry, Posting

_accounts = Account
_entries = JournalEntry
_postings = Posting

_NEW_ENTRY = insert(_entries)
_NEW_POSTING = insert(_postings)
_SET_BALANCE = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"), _accounts.c.balance == bindparam("old"))
    .values(balance=bindparam("new"))
)


@dataclass(frozen=True)
class Credit:
    account_id: int
    amount: int  # > 0: credited to the account, debited from the source
    memo: str
    key: str  # the bank's own idempotency key ("sys:...") for this entry
    details: dict[str, object]


def post_credits(
    tx: Tx, *, source: int, credits: Sequence[Credit], kind: str, audit_kind: str
) -> list[int]:
    """Post each credit as its own balanced entry from `source`; returns the entry ids. A
    credit whose key was already posted is skipped (a batch run again posts nothing twice).
    Balances are read under the write lock and moved by conditional updates."""
    require_entry_kind(kind)
    keys = [c.key for c in credits]
    done = set(
        tx.conn.execute(
            select(_entries.c.idempotency_key).where(_entries.c.idempotency_key.in_(keys))
        ).scalars()
    )
    todo = [c for c in credits if c.key not in done and c.amount > 0]
    if not todo:
        return []
    ids = sorted({source, *(c.account_id for c in todo)})
    query = select(_accounts.c.id, _accounts.c.balance).where(_accounts.c.id.in_(ids))
    if tx.conn.dialect.name == "postgresql":
        query = query.order_by(_accounts.c.id).with_for_update()
    balance = {row.id: int(row.balance) for row in tx.conn.execute(query)}
    before = dict(balance)
    # One executemany, then the ids by key: RETURNING in parameter order makes SQLAlchemy
    # insert SQLite's rows one statement each.
    execute_rows(
        tx.conn,
        _NEW_ENTRY,
        [
            {
                "kind": kind,
                "memo": c.memo,
                "actor_id": None,
                "created_at": tx.now,
                "idempotency_key": c.key,
                "request_hash": None,
                "card_id": None,
            }
            for c in todo
        ],
    )
    made = dict(
        tx.conn.execute(
            select(_entries.c.idempotency_key, _entries.c.id).where(
                _entries.c.idempotency_key.in_([c.key for c in todo])
            )
        ).all()
    )
    entry_ids = [int(made[c.key]) for c in todo]
    postings, events = [], []
    for entry_id, credit in zip(entry_ids, todo, strict=True):
        legs = ((source, -credit.amount), (credit.account_id, credit.amount))
        for account, amount in legs:
            balance[account] += amount
            postings.append(
                {
                    "entry_id": entry_id,
                    "account_id": account,
                    "amount": amount,
                    "balance_after": balance[account],
                    "created_at": tx.now,
                }
            )
        events.append(
            audit.NewEvent(
                audit_kind,
                f"entry {entry_id}",
                {"amount": credit.amount, **credit.details},
                entry_id,
                audit.legs_text(legs),
            )
        )
    execute_rows(tx.conn, _NEW_POSTING, postings)
    index_memos(tx.conn, min(entry_ids), max(entry_ids))
    conditional_updates(
        tx,
        _SET_BALANCE,
        [{"account_id": a, "old": before[a], "new": balance[a]} for a in ids],
        "an account's balance moved during the batch",
    )
    audit.record_many(tx, None, events, actor_name="system")
    return entry_ids
