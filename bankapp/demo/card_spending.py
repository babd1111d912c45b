"""Demo cards: a few debit and credit cards per customer and their everyday card spending,
from their own seeded random source so the rest of the demo history stays as it was."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass

from bankapp.bank import Bank
from bankapp.demo.acting import DemoActors
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.types import Actor
from bankapp.errors import CardDeclined, InsufficientFunds, InvalidAmount

# Per customer: a debit card on the first (checking) account, and a credit limit or None.
DEMO_CARDS: dict[str, tuple[bool, int | None]] = {
    "alice": (True, 300_000),
    "bob": (True, None),
    "carol": (True, 500_000),
}
_MERCHANTS = (
    "Green Grocer",
    "Bean There Coffee",
    "City Fuel",
    "Page Turner Books",
    "Cinema Paradiso",
    "Hardware Depot",
    "Online Marketplace",
    "Pizza Palace",
)


@dataclass(frozen=True)
class DemoCards:
    rng: random.Random
    cards: dict[str, list[IssuedCard]]


def issue_demo_cards(
    bank: Bank, seed: int, actors: DemoActors, accounts: dict[str, list[int]]
) -> DemoCards:
    """Issue the demo cards with card numbers drawn from a source seeded by `seed`."""
    rng = random.Random(seed * 7919 + 5)
    saved, bank.cards.rng = bank.cards.rng, random.Random(seed * 7919 + 11)
    try:
        cards: dict[str, list[IssuedCard]] = {}
        for name, (debit, limit) in DEMO_CARDS.items():
            if name not in actors:
                continue
            issued = []
            if debit:
                issued.append(bank.cards.issue_debit(actors[name], accounts[name][0]))
            if limit is not None:
                issued.append(bank.cards.issue_credit(actors[name], limit))
            cards[name] = issued
    finally:
        bank.cards.rng = saved
    return DemoCards(rng, cards)


def demo_card_day(
    bank: Bank, demo: DemoCards, day: int, name: str, actor: Actor, main_account: int
) -> None:
    """One day of a customer's card use: the odd purchase, and the credit card paid monthly."""
    rng = demo.rng
    for card in demo.cards.get(name, []):
        if rng.random() < 0.3:
            # A declined purchase is part of card life (and of the audit trail).
            with contextlib.suppress(CardDeclined):
                bank.cards.purchase(
                    actor,
                    pan=card.pan,
                    expiry=card.card.expiry,
                    cvv=card.cvv,
                    merchant=rng.choice(_MERCHANTS),
                    amount=rng.randrange(300, 12_000),
                )
        if card.card.credit_limit and day % 30 == 25:
            owed = bank.cards.get(actor, card.card.id).used
            try:
                if owed:
                    bank.cards.pay(actor, card.card.id, main_account, owed)
            except (CardDeclined, InsufficientFunds, InvalidAmount):
                pass
