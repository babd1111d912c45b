"""Card journeys through the cards screen: purchase, freeze and lost cards, a teller's view,
paying the credit card (a fixed installation key and a seeded card source; the pictures are
in `snapshots/test_cards.py`)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from bankapp.bank import Bank
from bankapp.domain.card_types import CardStatus
from bankapp.domain.money import cents_to_decimal_string
from screens.app import make_app
from screens.cards import CardsScreen
from screens.modals.card_pay import PayCardModal
from screens.modals.card_reveal import CardRevealModal
from screens.modals.confirm import ConfirmModal
from tests.fixtures import entry_count
from tests.ui.helpers import (
    SIZE,
    Expect,
    alice,
    new_credit_card,
    open_cards,
    pilot_test,
    play,
    purchase_form,
    screen_text,
    settle,
    sign_in_staff,
)

pytestmark = pytest.mark.usefixtures("fixed_card_key")


@pilot_test
async def test_a_good_purchase_is_approved_and_charged(demo_bank: Bank) -> None:
    card = new_credit_card(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_cards, purchase_form(card, card.cvv), "enter")
        assert isinstance(app.screen, CardsScreen)
        assert card.pan not in screen_text(app)
    view = demo_bank.cards.get(alice(demo_bank), card.card.id)
    assert (view.held, view.used) == (1_250, 0)  # authorised; it posts when it settles


@pilot_test
async def test_freeze_then_report_lost_and_take_the_replacement(demo_bank: Bank) -> None:
    card = new_credit_card(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_cards, "f")
        assert demo_bank.cards.get(alice(demo_bank), card.card.id).status == CardStatus.FROZEN
        await play(
            pilot,
            "l",
            "enter",  # confirm: report lost
            "enter",  # yes, issue a replacement
            Expect(CardRevealModal),
            "enter",
        )
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
        await play(pilot, "f")
    assert demo_bank.cards.get(alice(demo_bank), card.card.id).status == CardStatus.FROZEN


@pilot_test
async def test_paying_the_credit_card_in_full_from_checking(demo_bank: Bank) -> None:
    """Ctrl+S asks the bank for a preview and asks first; Enter pays, once."""
    actor = alice(demo_bank)
    credit = next(c for c in demo_bank.cards.list_cards(actor) if c.credit_limit)
    assert credit.used > 0
    entries = entry_count(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        # the demo credit card is the newest, highlighted first; the amount owed is filled in
        await play(pilot, open_cards, "p", "ctrl+s", Expect(ConfirmModal))
        shown = dict(app.screen.lines)  # type: ignore[attr-defined]
        assert shown["Pay"] == app.money(credit.used) and shown["Card"] == credit.masked
        assert shown["Owed after"] == app.money(0)
        assert entry_count(demo_bank) == entries  # nothing paid before the confirmation
        await play(pilot, "enter", "ctrl+s")  # a second press must not pay twice
        assert isinstance(app.screen, CardsScreen)
    assert demo_bank.cards.get(actor, credit.id).used == 0
    assert entry_count(demo_bank) == entries + 1


@pilot_test
async def test_a_card_payment_refused_by_the_bank_is_shown_before_any_confirmation(
    demo_bank: Bank,
) -> None:
    actor = alice(demo_bank)
    credit = next(c for c in demo_bank.cards.list_cards(actor) if c.credit_limit)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_cards, "p", Expect(PayCardModal))
        app.screen.query_one("#amount", Input).value = cents_to_decimal_string(credit.used + 1)
        await play(pilot, "ctrl+s", Expect(PayCardModal))
        shown = str(app.screen.query_one("#amount-error", Static).render())
        assert "is owed; pay at most that" in shown


@pilot_test
async def test_escape_does_not_dismiss_the_one_time_reveal_as_if_noted(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_cards, "n", "ctrl+s", Expect(CardRevealModal))
        await play(pilot, "escape", Expect(CardRevealModal))
        said = [str(n.message) for n in app._notifications]
        assert any("I have noted it" in m for m in said), said
        await play(pilot, "enter", Expect(CardsScreen))  # the explicit "I have noted it"
