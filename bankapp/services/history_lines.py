"""Posting rows as the `HistoryLine`s that history pages and statements show, each with the
other side of its entry (a masked number, or an internal account's name)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountKind, HistoryLine
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, JournalEntry, Posting

_postings = Posting
_entries = JournalEntry
_accounts = Account
# Entry ids looked up per query, so a statement with thousands of lines stays within the
# parameter limits of both databases.
CHUNK = 500
# What a line needs from the posting and its entry; callers add their own filters and order.
LINE_COLUMNS = (
    _postings.c.id,
    _postings.c.entry_id,
    _postings.c.created_at,
    _postings.c.amount,
    _postings.c.balance_after,
    _entries.c.kind,
    _entries.c.memo,
)


def history_lines(tx: Tx, account_id: int, rows: Sequence[Any]) -> tuple[HistoryLine, ...]:
    """`rows` (selected with `LINE_COLUMNS`) as lines of `account_id`'s history."""
    return _lines(tx, rows, [account_id] * len(rows))


def lines_of_accounts(tx: Tx, rows: Sequence[Any]) -> tuple[HistoryLine, ...]:
    """`rows` (selected with `LINE_COLUMNS` and the posting's `account_id`), each a line of
    its own account's history."""
    return _lines(tx, rows, [row.account_id for row in rows])


def _lines(tx: Tx, rows: Sequence[Any], accounts: list[int]) -> tuple[HistoryLine, ...]:
    legs: dict[int, list[tuple[int, str]]] = {}
    entry_ids = list(dict.fromkeys(row.entry_id for row in rows))
    for start in range(0, len(entry_ids), CHUNK):
        legs.update(_legs(tx, entry_ids[start : start + CHUNK]))
    return tuple(
        HistoryLine(
            posting_id=row.id,
            account_id=account,
            entry_id=row.entry_id,
            at=row.created_at,
            kind=row.kind,
            memo=row.memo,
            amount=row.amount,
            balance_after=row.balance_after,
            counterparty=", ".join(
                label for other, label in legs.get(row.entry_id, ()) if other != account
            ),
        )
        for row, account in zip(rows, accounts, strict=True)
    )


def _legs(tx: Tx, entry_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each entry's legs as (account id, label): a masked number or an internal account's
    name, the label a line shows for the other side."""
    rows = tx.conn.execute(
        select(
            _postings.c.entry_id,
            _postings.c.account_id,
            _accounts.c.number,
            _accounts.c.kind,
            _accounts.c.name,
        )
        .join(_accounts, _accounts.c.id == _postings.c.account_id)
        .where(_postings.c.entry_id.in_(entry_ids))
    ).all()
    out: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        label = row.name if row.kind == AccountKind.INTERNAL else mask_account_number(row.number)
        out.setdefault(row.entry_id, []).append((row.account_id, label))
    return out
