"""What every card job shares: the card row the actor may act on, its masked view, status
changes and the link from a journal entry to the card it used."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bankapp.domain.card_types import CardKind, CardStatus, CardView
from bankapp.domain.types import Caller, Role
from bankapp.errors import CardNotFound
from bankapp.services.access import owner_name, require_id
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Card, JournalEntry

_cards = Card
_accounts = Account
_entries = JournalEntry

MERCHANT_SETTLEMENT = "merchant:settlement"
MAX_USABLE_CARDS = 10
MERCHANT_MAX = 60
MAX_CVV_FAILURES = 3
USABLE = (CardStatus.ACTIVE.value, CardStatus.FROZEN.value)


def card_for(tx: Tx, actor: Caller, card_id: int, *, lock: bool = False) -> Any:
    """The card row if the actor may act on it; a customer learns nothing of others'."""
    require_id(card_id, CardNotFound, "card")
    query = select(_cards).where(_cards.c.id == card_id)
    row = tx.conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None or (actor.role == Role.CUSTOMER and row.owner_id != actor.user_id):
        raise CardNotFound("No such card.")
    return row


def set_card_status(
    tx: Tx, card_id: int, status: CardStatus, *, by_bank: bool | None = None
) -> None:
    """Set the status; `by_bank` records whether the bank (staff, or a rule) set the block, so
    that nothing the customer does lifts it. None leaves the mark as it is."""
    values: dict[str, object] = {"status": status.value}
    if by_bank is not None:
        values["frozen_by_bank"] = by_bank
    tx.conn.execute(update(_cards).where(_cards.c.id == card_id).values(**values))


def replacement_of(tx: Tx, card_id: int) -> int | None:
    found = tx.conn.execute(
        select(_cards.c.id).where(_cards.c.replaces_id == card_id)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def card_view(tx: Tx, card_id: int) -> CardView:
    row = tx.conn.execute(
        select(
            _cards,
            _accounts.c.number,
            _accounts.c.balance,
            _accounts.c.held,
            _accounts.c.credit_limit,
        )
        .join(_accounts, _accounts.c.id == _cards.c.account_id)
        .where(_cards.c.id == card_id)
    ).one()
    return CardView(
        id=row.id,
        owner_id=row.owner_id,
        owner_name=owner_name(tx, row.owner_id),
        account_id=row.account_id,
        account_number=row.number,
        kind=CardKind(row.kind),
        last4=row.last4,
        expiry_year=row.expiry_year,
        expiry_month=row.expiry_month,
        cardholder_name=row.cardholder_name,
        status=CardStatus(row.status),
        issued_at=row.issued_at,
        replaces_id=row.replaces_id,
        replaced_by_id=replacement_of(tx, row.id),
        balance=row.balance,
        credit_limit=row.credit_limit,
        held=row.held,
        blocked_by_bank=bool(row.frozen_by_bank),
    )
