"""Card values the services return: kind, status, the masked view, the one-time issue result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bankapp.domain.card_numbers import format_expiry, format_pan, mask_pan


class CardKind(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class CardStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"
    LOST = "lost"
    STOLEN = "stolen"
    CANCELLED = "cancelled"
    REPLACED = "replaced"

    @property
    def is_blocked(self) -> bool:
        """Lost, stolen, cancelled and replaced cards can never be used again."""
        return self not in (CardStatus.ACTIVE, CardStatus.FROZEN)


@dataclass(frozen=True)
class CardView:
    """A card as screens and reports may show it: never the full number or the CVV."""

    id: int
    owner_id: int
    owner_name: str
    account_id: int
    account_number: str
    kind: CardKind
    last4: str
    expiry_year: int
    expiry_month: int
    cardholder_name: str
    status: CardStatus
    issued_at: datetime
    replaces_id: int | None
    replaced_by_id: int | None
    balance: int  # the linked account's balance (negative on a credit card: the amount owed)
    credit_limit: int
    held: int = 0  # authorisations and other holds on the linked account
    blocked_by_bank: bool = False  # only staff lift the block or replace the card

    @property
    def masked(self) -> str:
        return mask_pan(self.last4)

    @property
    def expiry(self) -> str:
        return format_expiry(self.expiry_year, self.expiry_month)

    @property
    def used(self) -> int:
        """Credit used (owed) on a credit card; 0 for a debit card."""
        return max(0, -self.balance) if self.kind == CardKind.CREDIT else 0

    @property
    def available(self) -> int:
        """What a purchase may take: credit left, or the debit account's balance, less what
        authorisations already hold."""
        return self.balance - self.held + self.credit_limit


@dataclass(frozen=True)
class IssuedCard:
    """The result of issuing a card: the only time the full number and CVV leave the service.
    They are excluded from repr/str so a log line or traceback never shows them."""

    card: CardView
    pan: str = field(repr=False)
    cvv: str = field(repr=False)

    @property
    def formatted_pan(self) -> str:
        return format_pan(self.pan)


@dataclass(frozen=True)
class CardTransaction:
    """One movement on a card: a purchase (negative) or a card payment (positive)."""

    entry_id: int
    at: datetime
    kind: str
    description: str
    amount: int
    balance_after: int


@dataclass(frozen=True)
class CardAuthorisation:
    """An approved card purchase: the amount is held on the card's account (the available
    balance drops at once) and posted when it settles, at close of business or when captured;
    an authorisation never settled expires and the money is available again."""

    hold_id: int
    card_id: int
    last4: str
    merchant: str
    amount: int
    status: str  # held | captured | expired | released
    authorised_at: datetime
    expires_at: datetime | None
    available_after: int
    entry_id: int | None = None  # the purchase entry once it settled
    replayed: bool = False

    @property
    def masked(self) -> str:
        return mask_pan(self.last4)
