"""Demo cards: a debit card per customer, credit cards from approved applications, and their
everyday card spending (authorised at once, settled by the next clearing run), from their own
seeded random source so the rest of the demo history stays as it was."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass

from bankapp.bank import Bank
from bankapp.demo.acting import DemoActors
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.types import Actor
from bankapp.errors import CardDeclined, InsufficientFunds, InvalidAmount

# Per customer: a debit card on the first (checking) account, and the credit limit applied
# for and the one granted (by the teller within their limit, else by an admin), or None.
DEMO_CARDS: dict[str, tuple[bool, tuple[int, int, str] | None]] = {
    "alice": (True, (300_000, 300_000, "teller")),
    "bob": (True, None),
    "carol": (True, (800_000, 600_000, "admin")),
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
                asked, granted, checker = limit
                application = bank.cards.apply_for_credit(actors[name], asked)
                bank.approvals.approve(actors[checker], application.id, credit_limit=granted)
                issued.append(bank.cards.issue_credit(actors[name], application.id))
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
        if card.card.credit_limit and day % 30 == 10:
            owed = bank.cards.get(actor, card.card.id).used
            try:
                if owed:
                    bank.cards.pay(actor, card.card.id, main_account, owed)
            except (CardDeclined, InsufficientFunds, InvalidAmount):
                pass
