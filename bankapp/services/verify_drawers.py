"""Drawer verification (part of `bankapp verify`): every drawer's cash ties to its ledger.

A drawer's opening-cash entry moved exactly its opening cash out of the vault; a closed drawer was
closed by exactly one entry, which took its expected cash out of the drawer, put the counted
cash back in the vault and the difference to over/short, and left nothing in the drawer; an
open drawer has no close entry. Entries are tied to their drawer by the bank-written memo
("Opening cash into drawer N", "Close drawer N"), because a close of an empty drawer has no
leg on the drawer's own account. Ledgers written before the rename hold opening-cash entries
with the memo "Float into drawer N"; entries never change, so that memo is read as well.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from bankapp.services.drawers import (
    CLOSE_ENTRY,
    CLOSE_MEMO,
    OPENING_CASH_ENTRY,
    OPENING_CASH_MEMO,
    OVER_SHORT,
)
from bankapp.services.ledger import BANK_CASH
from bankapp.storage.models import (
    BANK_ENTRIES,
    Account,
    CashDrawer,
    JournalEntry,
    Posting,
)

_accounts = Account
_drawers = CashDrawer
_entries = JournalEntry
_postings = Posting
# The memos each kind of drawer entry was ever written with (entries are never rewritten).
_MEMO_PREFIXES = {
    OPENING_CASH_ENTRY: (OPENING_CASH_MEMO, "Float into drawer "),
    CLOSE_ENTRY: (CLOSE_MEMO,),
}
MAX_REPORTED = 20


def drawer_problems(conn: Connection) -> list[str]:
    """What does not tie between the drawers and their ledger entries."""
    legs = _drawer_entries(conn)
    codes = dict(
        conn.execute(
            select(_accounts.c.internal_code, _accounts.c.id).where(
                _accounts.c.internal_code.in_((BANK_CASH, OVER_SHORT))
            )
        ).all()
    )
    balances = dict(
        conn.execute(
            select(_accounts.c.id, _accounts.c.balance).join(
                _drawers, _drawers.c.account_id == _accounts.c.id
            )
        ).all()
    )
    problems: list[str] = []
    for drawer in conn.execute(select(_drawers).order_by(_drawers.c.id)):
        found = legs.get(drawer.id, {})
        opening = found.get(OPENING_CASH_ENTRY, [])
        problems += _opening_cash_problems(drawer, opening, codes.get(BANK_CASH))
        problems += _close_problems(drawer, found.get(CLOSE_ENTRY, []), codes, balances)
        if len(problems) >= MAX_REPORTED:
            break
    return problems[:MAX_REPORTED]


def _drawer_entries(conn: Connection) -> dict[int, dict[str, list[dict[int, int]]]]:
    """For each drawer id, its opening-cash and close entries, each as {account id: amount}."""
    rows = conn.execute(
        select(_entries.c.id, _entries.c.kind, _entries.c.memo, _postings.c.account_id)
        .add_columns(_postings.c.amount)
        .join(_postings, _postings.c.entry_id == _entries.c.id)
        # BANK_ENTRIES is the partial index's own predicate, so the planner uses the index.
        .where(BANK_ENTRIES, _entries.c.kind.in_(tuple(_MEMO_PREFIXES)))
        .order_by(_entries.c.id)
    )
    by_entry: dict[int, tuple[int | None, str, dict[int, int]]] = {}
    for row in rows:
        drawer_id = _drawer_of(row.kind, row.memo)
        entry = by_entry.setdefault(row.id, (drawer_id, row.kind, {}))
        entry[2][row.account_id] = entry[2].get(row.account_id, 0) + row.amount
    grouped: dict[int, dict[str, list[dict[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for drawer_id, kind, amounts in by_entry.values():
        if drawer_id is not None:
            grouped[drawer_id][kind].append(amounts)
    return grouped


def _drawer_of(kind: str, memo: str) -> int | None:
    for prefix in _MEMO_PREFIXES[kind]:
        tail = memo[len(prefix) :] if memo.startswith(prefix) else ""
        if tail.isdigit():
            return int(tail)
    return None


def _opening_cash_problems(
    drawer: Any, entries: list[dict[int, int]], vault: int | None
) -> list[str]:
    want = 1 if drawer.opening_cash else 0
    if len(entries) != want:
        return [f"drawer {drawer.id}: {len(entries)} opening-cash entries, expected {want}"]
    if entries and (
        entries[0].get(drawer.account_id) != -drawer.opening_cash
        or entries[0].get(vault or 0) != drawer.opening_cash
    ):
        return [
            f"drawer {drawer.id}: its opening-cash entry does not move its opening cash "
            f"{drawer.opening_cash} from the vault"
        ]
    return []


def _close_problems(
    drawer: Any, closes: list[dict[int, int]], codes: dict[str, int], balances: dict[int, int]
) -> list[str]:
    left = -balances.get(drawer.account_id, 0)
    if drawer.status != "closed":
        if closes:
            return [f"drawer {drawer.id} is {drawer.status} but has {len(closes)} close entries"]
        if drawer.closed_at is not None:
            return [f"drawer {drawer.id} is {drawer.status} but has a closing time"]
        return []
    problems = []
    moved = drawer.expected_cash or drawer.counted_cash
    if len(closes) != (1 if moved else 0):
        problems.append(f"drawer {drawer.id} was closed by {len(closes)} entries, expected one")
    if left:
        problems.append(f"closed drawer {drawer.id} still holds {left} in cash")
    if len(closes) == 1:
        legs = closes[0]
        if (
            legs.get(drawer.account_id, 0) != (drawer.expected_cash or 0)
            or legs.get(codes.get(BANK_CASH, 0), 0) != -(drawer.counted_cash or 0)
            or legs.get(codes.get(OVER_SHORT, 0), 0) != (drawer.difference or 0)
        ):
            problems.append(
                f"drawer {drawer.id}: its close entry does not return the counted cash "
                f"{drawer.counted_cash} to the vault (expected {drawer.expected_cash}, "
                f"difference {drawer.difference})"
            )
    return problems
