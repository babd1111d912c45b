"""Words shown for stored codes (account kinds, entry kinds)."""

from __future__ import annotations

from bankapp.domain.types import AccountKind
from bankapp.services.drawers import OPENING_CASH_ENTRY

ACCOUNT_KIND_LABELS = {
    AccountKind.CHECKING: "Checking",
    AccountKind.SAVINGS: "Savings",
    AccountKind.BUSINESS: "Business",
    AccountKind.CREDIT_CARD: "Credit card",
    AccountKind.INTERNAL: "Internal",
}

ENTRY_KIND_LABELS = {
    "deposit": "Cash deposit",
    "withdrawal": "Cash withdrawal",
    "check_deposit": "Check deposit",
    "check_return": "Returned check",
    "atm_withdrawal": "ATM withdrawal",
    "transfer": "Transfer",
    "card_purchase": "Card purchase",
    "card_payment": "Card payment",
}

# Entries only on the bank's own accounts (so not offered as a filter on a customer's history).
BANK_ENTRY_KIND_LABELS = {
    OPENING_CASH_ENTRY: "Drawer opening cash",
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
    known = ENTRY_KIND_LABELS.get(kind) or BANK_ENTRY_KIND_LABELS.get(kind)
    return known or kind.replace("_", " ").capitalize()
