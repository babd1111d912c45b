"""What a signed-in screen polls to learn that another workstation changed what it shows.

`mark` is a short text that changes whenever what the caller may see could have changed. A
customer's covers only their own accounts (balance, money on hold, status, name), cards,
standing orders and requests, so nothing of anyone else's activity shows through it; staff's
is the audit chain's head, which every change the bank records moves. It is polled in the
background, so it does not count as the user's activity for the session's idle timeout
(`touch=False`)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import ColumnElement, select

from bankapp.domain.types import Actor, Caller
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import (
    Account,
    AuditHead,
    Card,
    PendingApproval,
    StandingOrder,
)

_accounts = Account
_cards = Card
_requests = PendingApproval
_head = AuditHead
_orders = StandingOrder


class ChangeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def mark(self, actor: Actor) -> str:
        """A mark of what the caller sees now: equal marks, nothing they see has changed."""
        return self._ctx.read_as(actor, _mark, touch=False)


def _mark(tx: Tx, caller: Caller) -> str:
    if caller.is_staff:
        seq = tx.conn.execute(select(_head.c.seq).where(_head.c.id == 1)).scalar_one()
        return f"seq:{seq}"
    mine = caller.user_id
    account, card, order, request = _accounts.c, _cards.c, _orders.c, _requests.c
    parts = [
        _owned(
            tx,
            account.owner_id,
            mine,
            account.id,
            account.balance,
            account.held,
            account.status,
            account.name,
        ),
        _owned(tx, card.owner_id, mine, card.id, card.status),
        _owned(tx, order.owner_id, mine, order.id, order.status, order.next_due, order.last_result),
        _owned(tx, request.maker_id, mine, request.id, request.status),
    ]
    digest = hashlib.sha256(repr(parts).encode())
    return "own:" + digest.hexdigest()[:20]


def _owned(tx: Tx, owner: ColumnElement[int], user_id: int, *columns: Any) -> list[tuple[Any, ...]]:
    """`columns` of the rows `user_id` owns, in id order (the first column is the id)."""
    rows = tx.conn.execute(select(*columns).where(owner == user_id).order_by(columns[0]))
    return [tuple(row) for row in rows]
