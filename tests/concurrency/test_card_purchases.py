"""Purchases racing on one card never hold past its limit or balance (threads, one bank): the
authorisation's hold is checked against the available balance in the statement that places
it; settling them afterwards posts exactly what was held."""

from __future__ import annotations

import threading

import pytest

from bankapp.bank import Bank
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.types import Actor
from bankapp.errors import CardDeclined
from tests.fixtures import credit_card, funded_account, make_customer, settle

THREADS = 8
AMOUNT = 3_000


pytestmark = pytest.mark.usefixtures("private_key_file")


def race(bank: Bank, actor: Actor, card: IssuedCard) -> tuple[int, int]:
    """THREADS purchases of AMOUNT started together; (approved, declined)."""
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def shop(n: int) -> None:
        start.wait()
        try:
            bank.cards.purchase(
                actor,
                pan=card.pan,
                expiry=card.card.expiry,
                cvv=card.cvv,
                merchant=f"Shop {n}",
                amount=AMOUNT,
                idempotency_key=f"k{n}",
            )
            outcome = "approved"
        except CardDeclined:
            outcome = "declined"
        except Exception as exc:  # reported by the assertion below
            outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=shop, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert set(outcomes) <= {"approved", "declined"}, outcomes
    return outcomes.count("approved"), outcomes.count("declined")


def test_racing_purchases_stop_exactly_at_the_credit_limit(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    assert race(bank, ann, card) == (3, THREADS - 3)
    view = bank.cards.get(ann, card.card.id)
    assert (view.held, view.available) == (9_000, 1_000)
    settle(bank)
    view = bank.cards.get(ann, card.card.id)
    assert (view.used, view.held, view.available) == (9_000, 0, 1_000)
    assert bank.verify().ok


def test_racing_debit_purchases_never_overdraw_the_account(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 10_000)
    card = bank.cards.issue_debit(ann, checking)
    assert race(bank, ann, card) == (3, THREADS - 3)
    assert bank.accounts.get(ann, checking).available == 1_000
    settle(bank)
    assert bank.accounts.get(ann, checking).balance == 1_000
    assert bank.verify().ok
