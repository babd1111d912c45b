"""A customer renames and closes their own accounts from the account screen; closing asks
first, names the cards it cancels, and is refused up front while money is in the account."""

from __future__ import annotations

from textual.widgets import Input

from bankapp.bank import Bank
from bankapp.domain.card_types import CardStatus
from bankapp.domain.types import AccountKind, AccountStatus
from screens.account import AccountScreen
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.modals.prompt import PromptModal
from tests.ui.helpers import SIZE, Expect, SignIn, Type, alice, pilot_test, play, settle


@pilot_test
async def test_a_customer_renames_and_closes_an_empty_account_and_its_card(
    demo_bank: Bank,
) -> None:
    pot = demo_bank.accounts.open(alice(demo_bank), AccountKind.CHECKING, "Pot")
    card = demo_bank.cards.issue_debit(alice(demo_bank), pot.id).card
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"))
        app.push_screen(AccountScreen(pot.id))
        await play(pilot, settle, "n", Expect(PromptModal))
        app.screen.query_one("#prompt-value", Input).value = ""
        await play(pilot, Type("Holiday pot"), "enter", Expect(AccountScreen))
        assert demo_bank.accounts.get(app.actor, pot.id).name == "Holiday pot"

        await play(pilot, "x", Expect(ConfirmModal))
        lines = dict(app.screen.lines)  # type: ignore[attr-defined]
        assert lines["Cards cancelled"] == card.masked
        assert demo_bank.accounts.get(app.actor, pot.id).status == AccountStatus.OPEN
        await play(pilot, "enter", Expect(AccountScreen))
        assert demo_bank.accounts.get(app.actor, pot.id).status == AccountStatus.CLOSED
        assert demo_bank.cards.get(app.actor, card.id).status == CardStatus.CANCELLED
    assert demo_bank.verify().ok


@pilot_test
async def test_closing_an_account_with_money_in_it_is_refused_before_asking(
    demo_bank: Bank,
) -> None:
    everyday = demo_bank.accounts.list_accounts(alice(demo_bank))[0]
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"))
        app.push_screen(AccountScreen(everyday.id))
        await play(pilot, settle, "x", Expect(AccountScreen))
        said = [str(n.message) for n in app._notifications]
        assert any(m.startswith("The balance is ") and "before closing" in m for m in said), said
        assert demo_bank.accounts.get(app.actor, everyday.id).status == AccountStatus.OPEN
