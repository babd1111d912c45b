"""The kinds of journal entry: the one list. The ledger posts no other kind, and the screens
offer and name these (a customer's history filter lists `CUSTOMER_ENTRY_KINDS`)."""

from __future__ import annotations

DEPOSIT = "deposit"  # cash in at the counter
WITHDRAWAL = "withdrawal"  # cash out at the counter
CHECK_DEPOSIT = "check_deposit"
CHECK_RETURN = "check_return"
ATM_WITHDRAWAL = "atm_withdrawal"
TRANSFER = "transfer"
STANDING_ORDER = "standing_order"
CARD_PURCHASE = "card_purchase"
CARD_PAYMENT = "card_payment"
INTEREST = "interest"
DRAWER_OPENING_CASH = "drawer_float"  # a stored code: entries made before the rename keep it
DRAWER_CLOSE = "drawer_close"

# Entries that post to a customer's account, in the order a filter offers them.
CUSTOMER_ENTRY_KINDS = (
    DEPOSIT,
    WITHDRAWAL,
    CHECK_DEPOSIT,
    CHECK_RETURN,
    ATM_WITHDRAWAL,
    TRANSFER,
    STANDING_ORDER,
    CARD_PURCHASE,
    CARD_PAYMENT,
    INTEREST,
)
# Entries only between the bank's own accounts (the vault, drawers, over/short).
BANK_ENTRY_KINDS = (DRAWER_OPENING_CASH, DRAWER_CLOSE)
ENTRY_KINDS = CUSTOMER_ENTRY_KINDS + BANK_ENTRY_KINDS


def require_entry_kind(kind: str) -> str:
    """`kind` if it is one of `ENTRY_KINDS`; a new kind of entry is added to this list first."""
    if kind not in ENTRY_KINDS:
        raise ValueError(f"{kind!r} is not a kind of journal entry (bankapp.domain.entry_kinds)")
    return kind
