"""Card values: the masked view shows the last four digits; the one-time issue result never
shows its number or CVV when printed."""

from __future__ import annotations

from datetime import datetime

from bankapp.domain.card_types import CardKind, CardStatus, CardView, IssuedCard


def test_an_issued_cards_repr_never_shows_the_number_or_cvv() -> None:
    view = CardView(
        id=1,
        owner_id=2,
        owner_name="Ann",
        account_id=3,
        account_number="123456789012",
        kind=CardKind.DEBIT,
        last4="7890",
        expiry_year=2029,
        expiry_month=11,
        cardholder_name="Ann",
        status=CardStatus.ACTIVE,
        issued_at=datetime(2026, 11, 20),
        replaces_id=None,
        replaced_by_id=None,
        balance=0,
        credit_limit=0,
    )
    issued = IssuedCard(view, pan="4239501234567890", cvv="321")
    for text in (repr(issued), str(issued), f"{issued}"):
        assert "4239501234567890" not in text
        assert "321" not in text.replace(view.masked, "")
    assert view.masked == "•••• •••• •••• 7890"
