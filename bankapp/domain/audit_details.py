"""Which numbers in an audit event's details are money (integer minor units, as stored), so a
reader can show them as amounts. Every whole-number detail a service records is named here,
as money or not; a test fails on one that is neither."""

from __future__ import annotations

MONEY_DETAILS = frozenset(
    {
        "amount",
        "counted",
        "counted_cash",
        "credit_limit",
        "difference",
        "expected",
        "opening_cash",
    }
)

OTHER_NUMBER_DETAILS = frozenset(
    {
        "account_id",
        "authorisation",
        "card_id",
        "day",
        "decided",
        "order",
        "owner_id",
        "rate_bp",
        "seed",
        "seq",
        "target_user_id",
    }
)
