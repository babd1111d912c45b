"""Reading cards: a customer's cards, one card, a card's transactions."""

from __future__ import annotations

from sqlalchemy import select

from bankapp.domain.card_types import CardTransaction, CardView
from bankapp.domain.types import Actor, Caller
from bankapp.services.access import customer_for
from bankapp.services.cards.card_rows import (
    card_for,
    card_view,
)
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import Card, JournalEntry, Posting

_cards = Card
_entries = JournalEntry
_postings = Posting


class CardQueries:
    """List and read cards."""

    _ctx: ServiceContext

    def list_cards(self, actor: Actor, *, owner_id: int | None = None) -> list[CardView]:
        """The actor's cards (or, for staff, a customer's), newest first."""

        def work(tx: Tx, caller: Caller) -> list[CardView]:
            owner = customer_for(tx, caller, owner_id, holding="cards")
            ids = tx.conn.execute(
                select(_cards.c.id).where(_cards.c.owner_id == owner).order_by(_cards.c.id.desc())
            ).scalars()
            return [card_view(tx, card_id) for card_id in ids]

        return self._ctx.read_as(actor, work)

    def get(self, actor: Actor, card_id: int) -> CardView:
        def work(tx: Tx, caller: Caller) -> CardView:
            return card_view(tx, card_for(tx, caller, card_id).id)

        return self._ctx.read_as(actor, work)

    def transactions(self, actor: Actor, card_id: int, *, limit: int = 50) -> list[CardTransaction]:
        """Purchases and payments made with this card, newest first."""

        def work(tx: Tx, caller: Caller) -> list[CardTransaction]:
            card = card_for(tx, caller, card_id)
            rows = tx.conn.execute(
                select(
                    _entries.c.id,
                    _entries.c.kind,
                    _entries.c.memo,
                    _postings.c.created_at,
                    _postings.c.amount,
                    _postings.c.balance_after,
                )
                .join(_postings, _postings.c.entry_id == _entries.c.id)
                .where(_entries.c.card_id == card.id, _postings.c.account_id == card.account_id)
                .order_by(_postings.c.id.desc())
                .limit(max(1, min(limit, 500)))
            ).all()
            return [
                CardTransaction(r.id, r.created_at, r.kind, r.memo, r.amount, r.balance_after)
                for r in rows
            ]

        return self._ctx.read_as(actor, work)
