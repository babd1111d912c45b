"""Snapshots of the cards screen: masked list, one-time reveal, a declined purchase."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from bankapp.bank import Bank
from bankapp.storage.models import AuditEvent
from screens.cards import CardsScreen
from screens.modals.card_purchase import CardPurchaseModal
from screens.modals.card_reveal import CardRevealModal
from tests.fixtures import entry_count
from tests.ui.helpers import (
    Do,
    Expect,
    Snap,
    Type,
    alice,
    new_credit_card,
    open_cards,
    purchase_form,
    screen_text,
    snap,
    steps,
)

pytestmark = pytest.mark.usefixtures("fixed_card_key")


def test_cards_screen_lists_masked_cards_with_limits(snap_compare: Snap, demo_bank: Bank) -> None:
    """Alice's demo cards: masked numbers, status, limit/used/available, card transactions."""
    seen: dict[str, str] = {}

    def read_the_table(pilot: Pilot[Any]) -> None:
        seen["text"] = screen_text(pilot.app)

    script = steps(open_cards, Expect(CardsScreen), Do(read_the_table, settle=False))
    assert snap(snap_compare, demo_bank, script)
    assert "•••• •••• •••• " in seen["text"]
    assert "Credit" in seen["text"] and "Debit" in seen["text"]


def test_issuing_a_card_reveals_number_and_cvv_once(snap_compare: Snap, demo_bank: Bank) -> None:
    """The one-time reveal modal: full number, expiry, CVV and the never-again warning."""
    before = len(demo_bank.cards.list_cards(alice(demo_bank)))
    script = steps(
        open_cards,
        "n",
        "ctrl+s",  # a debit card on the first checking account
        Expect(CardRevealModal),
    )
    assert snap(snap_compare, demo_bank, script)
    assert len(demo_bank.cards.list_cards(alice(demo_bank))) == before + 1


def test_a_purchase_with_a_wrong_cvv_is_declined_in_place(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """A refused purchase: the Declined banner says why, the CVV is cleared, nothing is charged."""
    card = new_credit_card(demo_bank)
    wrong_cvv = f"{(int(card.cvv) + 1) % 1000:03d}"
    entries = entry_count(demo_bank)
    script = steps(
        open_cards,
        purchase_form(card, wrong_cvv),  # the newest card is highlighted first
        "ctrl+s",
        Expect(CardPurchaseModal),
    )
    assert snap(snap_compare, demo_bank, script)
    assert entry_count(demo_bank) == entries
    table = AuditEvent
    last = demo_bank.db.read(
        lambda tx: tx.conn.execute(
            select(table.c.kind, table.c.details).order_by(table.c.seq.desc()).limit(1)
        ).one()
    )
    assert last.kind == "card.purchase_declined" and "card_cvv_wrong" in last.details


def test_applying_for_a_credit_card(snap_compare: Snap, demo_bank: Bank) -> None:
    """N, 'Apply for a credit card', the limit asked for: the application waits for the bank,
    and the cards screen says so."""

    def choose_apply(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one("#kind").value = "apply"

    script = steps(open_cards, "n", Do(choose_apply), "tab", Type("2000"), "ctrl+s")
    assert snap(snap_compare, demo_bank, script)
    (application, *_) = demo_bank.cards.credit_applications(alice(demo_bank))
    assert (application.status, application.amount) == ("pending", 200_000)


def test_cards_screen_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The cards and their transactions at 80x24: masked numbers and limits still readable."""
    assert snap(snap_compare, demo_bank, steps(open_cards, Expect(CardsScreen)), size=(80, 24))


def test_card_reveal_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The one-time reveal at 80x24: number, CVV and the button that closes it all show."""
    script = steps(open_cards, "n", "ctrl+s", Expect(CardRevealModal))
    assert snap(snap_compare, demo_bank, script, size=(80, 24))


@pytest.mark.parametrize("size", [(120, 34), (80, 24)], ids=["120x34", "80x24"])
def test_paying_the_credit_card(snap_compare: Snap, demo_bank: Bank, size: tuple[int, int]) -> None:
    """P on the credit card: the form with what is owed filled in."""
    assert snap(snap_compare, demo_bank, steps(open_cards, "p"), size=size)


@pytest.mark.parametrize("size", [(120, 34), (80, 24)], ids=["120x34", "80x24"])
def test_a_card_payment_asks_first(
    snap_compare: Snap, demo_bank: Bank, size: tuple[int, int]
) -> None:
    """Ctrl+S: checked by the bank, then the confirmation names the amount, the card, the
    account paid from and its balance after, and what is owed after."""
    entries = entry_count(demo_bank)
    assert snap(snap_compare, demo_bank, steps(open_cards, "p", "ctrl+s"), size=size)
    assert entry_count(demo_bank) == entries
