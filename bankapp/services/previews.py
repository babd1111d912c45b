"""What a previewed money movement would do, named for a confirmation: the customer accounts
it touches (holder, name and masked number, balance after) and the teller's drawer after the
cash. Read inside the preview's own transaction, after the real posting code ran, so the
figures are the ones the posting makes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bankapp.domain.types import AccountKind, Caller, PartyView
from bankapp.services.access import describe, holder_name, load_account, visible_balances
from bankapp.services.drawers import open_drawer_row
from bankapp.storage.database import Tx
from bankapp.storage.models import Posting

_postings = Posting


def party(tx: Tx, caller: Caller, row: Any, balances: dict[int, int] | None) -> PartyView:
    """`row`'s account as the caller may see it; its balance after from `balances` (the
    result's, already trimmed to what the caller may see), or its balance now when nothing
    would move (`balances` None)."""
    known = {row.id: int(row.balance)} if balances is None else balances
    shown = visible_balances(tx, caller, {row.id: known[row.id]} if row.id in known else {})
    return PartyView(row.id, holder_name(tx, caller, row), describe(row), shown.get(row.id))


def entry_balances(tx: Tx, entry_id: int) -> dict[int, int]:
    """Each account an entry posted to, with its balance after that entry."""
    rows = tx.conn.execute(
        select(_postings.c.account_id, _postings.c.balance_after).where(
            _postings.c.entry_id == entry_id
        )
    ).all()
    return {int(r.account_id): int(r.balance_after) for r in rows}


def customer_parties(tx: Tx, caller: Caller, balances: dict[int, int]) -> tuple[PartyView, ...]:
    """The customer accounts among `balances`, named, in account order."""
    rows = [load_account(tx, account_id) for account_id in sorted(balances)]
    return tuple(
        party(tx, caller, row, balances) for row in rows if row.kind != AccountKind.INTERNAL
    )


def drawer_cash_after(tx: Tx, teller: Caller, balances: dict[int, int]) -> int | None:
    """The cash in `teller`'s open drawer after the movement, if it touched that drawer."""
    drawer = open_drawer_row(tx, teller)
    if drawer is None or drawer.account_id not in balances:
        return None
    return -balances[drawer.account_id]  # a drawer's ledger balance is the negative of its cash
