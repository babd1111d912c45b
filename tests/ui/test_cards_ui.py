"""The cards screen: masked list, one-time reveal, declined purchase, freeze and lost cards
(120x34 snapshots of the seeded demo, a fixed installation key and a seeded card source)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from bankapp.bank import Bank
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.domain.card_types import CardStatus, IssuedCard
from bankapp.domain.types import Actor
from bankapp.services.cards import CardService
from bankapp.storage.models import AuditEvent
from screens.app import make_app
from screens.cards import CardsScreen
from screens.modals.card_purchase import CardPurchaseModal
from screens.modals.card_reveal import CardRevealModal
from tests.ui.helpers import (
    SIZE,
    entry_count,
    pilot_test,
    settle,
    sign_in,
    sign_in_staff,
    type_text,
)

Snap = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]
FIXED_KEY = "5e" * 32


@pytest.fixture(autouse=True)
def fixed_card_key(demo_bank: Bank) -> None:
    """CVVs derive from the installation key: the card service gets a fixed one (and a seeded
    number source) so the reveal repeats; the bank's own key file is left alone."""
    demo_bank.cards = CardService(demo_bank.ctx, lambda: bytes.fromhex(FIXED_KEY), random.Random(1))


def snap(snap_compare: Snap, bank: Bank, run_before: RunBefore) -> bool:
    return snap_compare(make_app(bank), terminal_size=SIZE, run_before=run_before)


async def open_cards(pilot: Pilot[Any], username: str = "alice") -> None:
    await sign_in(pilot, username)
    await pilot.press("c")
    await settle(pilot)


def alice(bank: Bank) -> Actor:
    return bank.auth.login("alice", DEMO_PASSWORD).actor


def new_credit_card(bank: Bank) -> IssuedCard:
    bank.cards.rng = random.Random(5)
    return bank.cards.issue_credit(alice(bank), 150_000)


def screen_text(app: Any) -> str:
    parts = []
    for table in app.screen.query(DataTable):
        for row in range(table.row_count):
            parts += [str(cell) for cell in table.get_row_at(row)]
    return " ".join(parts)


# -- snapshots ------------------------------------------------------------------------------


def test_cards_screen_lists_masked_cards_with_limits(snap_compare: Snap, demo_bank: Bank) -> None:
    """Alice's demo cards: masked numbers, status, limit/used/available, card transactions."""
    seen: dict[str, str] = {}

    async def run(pilot: Pilot[Any]) -> None:
        await open_cards(pilot)
        assert isinstance(pilot.app.screen, CardsScreen)
        seen["text"] = screen_text(pilot.app)

    assert snap(snap_compare, demo_bank, run)
    assert "•••• •••• •••• " in seen["text"]
    assert "Credit" in seen["text"] and "Debit" in seen["text"]


def test_issuing_a_card_reveals_number_and_cvv_once(snap_compare: Snap, demo_bank: Bank) -> None:
    """The one-time reveal modal: full number, expiry, CVV and the never-again warning."""
    before = len(demo_bank.cards.list_cards(alice(demo_bank)))

    async def run(pilot: Pilot[Any]) -> None:
        await open_cards(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+s")  # a debit card on the first checking account
        await settle(pilot)
        assert isinstance(pilot.app.screen, CardRevealModal)

    assert snap(snap_compare, demo_bank, run)
    assert len(demo_bank.cards.list_cards(alice(demo_bank))) == before + 1


def test_a_purchase_with_a_wrong_cvv_is_declined_in_place(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """A refused purchase: the Declined banner says why, the CVV is cleared, nothing is charged."""
    card = new_credit_card(demo_bank)
    wrong_cvv = f"{(int(card.cvv) + 1) % 1000:03d}"
    entries = entry_count(demo_bank)

    async def run(pilot: Pilot[Any]) -> None:
        await open_cards(pilot)
        await pilot.press("b")  # the newest card is highlighted first
        await settle(pilot)
        await type_text(pilot, "Corner Shop")
        await pilot.press("tab")
        await type_text(pilot, "12.50")
        await pilot.press("tab")
        await type_text(pilot, card.pan)
        await pilot.press("tab", "tab")
        await type_text(pilot, wrong_cvv)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CardPurchaseModal)

    assert snap(snap_compare, demo_bank, run)
    assert entry_count(demo_bank) == entries
    table = AuditEvent.__table__
    last = demo_bank.db.read(
        lambda tx: tx.conn.execute(
            select(table.c.kind, table.c.details).order_by(table.c.seq.desc()).limit(1)
        ).one()
    )
    assert last.kind == "card.purchase_declined" and "card_cvv_wrong" in last.details


# -- journeys (state, not pixels) -------------------------------------------------------------


@pilot_test
async def test_a_good_purchase_is_approved_and_charged(demo_bank: Bank) -> None:
    card = new_credit_card(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await open_cards(pilot)
        await pilot.press("b")
        await settle(pilot)
        await type_text(pilot, "Corner Shop")
        await pilot.press("tab")
        await type_text(pilot, "12.50")
        await pilot.press("tab")
        await type_text(pilot, card.pan)
        await pilot.press("tab", "tab")
        await type_text(pilot, card.cvv)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CardsScreen)
        assert card.pan not in screen_text(app)
    assert demo_bank.cards.get(alice(demo_bank), card.card.id).used == 1_250


@pilot_test
async def test_freeze_then_report_lost_and_take_the_replacement(demo_bank: Bank) -> None:
    card = new_credit_card(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await open_cards(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert demo_bank.cards.get(alice(demo_bank), card.card.id).status == CardStatus.FROZEN
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("enter")  # confirm: report lost
        await settle(pilot)
        await pilot.press("enter")  # yes, issue a replacement
        await settle(pilot)
        assert isinstance(app.screen, CardRevealModal)
        await pilot.press("enter")
        await settle(pilot)
    old = demo_bank.cards.get(alice(demo_bank), card.card.id)
    assert old.status == CardStatus.LOST and old.replaced_by_id is not None
    new = demo_bank.cards.get(alice(demo_bank), old.replaced_by_id)
    assert new.status == CardStatus.ACTIVE and new.account_id == old.account_id
    assert demo_bank.verify().ok


@pilot_test
async def test_a_teller_freezes_a_customers_card_from_their_cards_screen(demo_bank: Bank) -> None:
    card = new_credit_card(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "teller")
        app.push_screen(CardsScreen(owner_id=card.card.owner_id))
        await settle(pilot)
        assert card.card.masked in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
    assert demo_bank.cards.get(alice(demo_bank), card.card.id).status == CardStatus.FROZEN


@pilot_test
async def test_paying_the_credit_card_in_full_from_checking(demo_bank: Bank) -> None:
    actor = alice(demo_bank)
    credit = next(c for c in demo_bank.cards.list_cards(actor) if c.credit_limit)
    assert credit.used > 0
    entries = entry_count(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await open_cards(pilot)  # the demo credit card is the newest, highlighted first
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("ctrl+s")  # the amount owed is filled in
        await settle(pilot)
        await pilot.press("ctrl+s")  # a second press must not pay twice
        await settle(pilot)
        assert isinstance(app.screen, CardsScreen)
    assert demo_bank.cards.get(actor, credit.id).used == 0
    assert entry_count(demo_bank) == entries + 1
