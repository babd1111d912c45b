"""Words shown for stored codes (account kinds, entry kinds)."""

from __future__ import annotations

from bankapp.domain import entry_kinds as kinds
from bankapp.domain.types import AccountKind

ACCOUNT_KIND_LABELS = {
    AccountKind.CHECKING: "Checking",
    AccountKind.SAVINGS: "Savings",
    AccountKind.BUSINESS: "Business",
    AccountKind.CREDIT_CARD: "Credit card",
    AccountKind.INTERNAL: "Internal",
}

# A word for every kind of entry (bankapp.domain.entry_kinds; a test holds them to the list).
ENTRY_KIND_LABELS = {
    kinds.DEPOSIT: "Cash deposit",
    kinds.WITHDRAWAL: "Cash withdrawal",
    kinds.CHECK_DEPOSIT: "Check deposit",
    kinds.CHECK_RETURN: "Returned check",
    kinds.ATM_WITHDRAWAL: "ATM withdrawal",
    kinds.TRANSFER: "Transfer",
    kinds.STANDING_ORDER: "Standing order",
    kinds.CARD_PURCHASE: "Card purchase",
    kinds.CARD_PAYMENT: "Card payment",
    kinds.INTEREST: "Interest",
    kinds.DRAWER_OPENING_CASH: "Drawer opening cash",
    kinds.DRAWER_CLOSE: "Drawer close",
}

HOLD_KIND_LABELS = {
    "deposit": "Check clearing",
    "card": "Card purchase",
    "staff": "Held by the bank",
}


def account_kind_label(kind: AccountKind | str) -> str:
    try:
        return ACCOUNT_KIND_LABELS[AccountKind(kind)]
    except ValueError:
        return str(kind)


def entry_kind_label(kind: str) -> str:
    return ENTRY_KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()
