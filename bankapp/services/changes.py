"""What a signed-in screen polls to learn that another workstation changed what it shows.

`mark` is a short text that changes whenever what the caller may see could have changed. A
customer's covers only their own accounts (balance, money on hold, status, name), cards,
standing orders and requests, so nothing of anyone else's activity shows through it; staff's
is the audit chain's head, which every change the bank records moves. It is polled in the
background, so it does not count as the user's activity for the session's idle timeout
(`touch=False`)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from bankapp.domain.types import Actor, Caller
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import (
    Account,
    AuditHead,
    Card,
    PendingApproval,
    StandingOrder,
    table_of,
)

_accounts = table_of(Account)
_cards = table_of(Card)
_requests = table_of(PendingApproval)
_head = table_of(AuditHead)
_orders = table_of(StandingOrder)


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
    parts = [
        tx.conn.execute(
            select(_accounts.c.id, _accounts.c.balance, _accounts.c.held)
            .add_columns(_accounts.c.status, _accounts.c.name)
            .where(_accounts.c.owner_id == mine)
            .order_by(_accounts.c.id)
        ).all(),
        tx.conn.execute(
            select(_cards.c.id, _cards.c.status)
            .where(_cards.c.owner_id == mine)
            .order_by(_cards.c.id)
        ).all(),
        tx.conn.execute(
            select(_orders.c.id, _orders.c.status, _orders.c.next_due, _orders.c.last_result)
            .where(_orders.c.owner_id == mine)
            .order_by(_orders.c.id)
        ).all(),
        tx.conn.execute(
            select(_requests.c.id, _requests.c.status)
            .where(_requests.c.maker_id == mine)
            .order_by(_requests.c.id)
        ).all(),
    ]
    digest = hashlib.sha256(repr([[tuple(row) for row in rows] for rows in parts]).encode())
    return "own:" + digest.hexdigest()[:20]
