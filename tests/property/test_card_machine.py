"""A hypothesis state machine issues, uses, freezes, loses and replaces cards at random, lets
authorisations settle, and checks after every step that the service agrees with a simple
model (balances, holds, statuses, the wrong-details count) and the books verify."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.card_types import CardKind, CardStatus, IssuedCard
from bankapp.domain.types import Role
from bankapp.errors import (
    CardBlocked,
    CardDeclined,
    CardFrozen,
    CardSecurityCodeWrong,
    CardStatusConflict,
    InvalidAmount,
    PermissionDenied,
    ValidationFailed,
)
from bankapp.services.cards.card_rows import MAX_USABLE_CARDS
from tests.fixtures import (
    FROZEN_NOW,
    TEST_SETTINGS,
    cash_in,
    make_customer,
    make_staff,
    migrated_sqlite,
)

amounts = st.integers(min_value=1, max_value=60_000)
# Shrinking a long card run on a shared machine takes minutes; the failing steps print anyway.
FAST_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.explain)


@dataclass
class ModelCard:
    issued: IssuedCard
    account_id: int
    status: CardStatus = CardStatus.ACTIVE
    cvv_failures: int = 0
    replaced: bool = False
    frozen_by_bank: bool = False


class CardMachine(RuleBasedStateMachine):
    cards = Bundle("cards")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="bankapp-cards-prop-"))
        self.bank: Bank = open_bank(
            migrated_sqlite(self.folder),
            clock=FixedClock(FROZEN_NOW),
            settings=TEST_SETTINGS,
        )
        self.model: dict[int, ModelCard] = {}
        self.balances: dict[int, int] = {}
        self.held: dict[int, int] = {}  # what authorisations hold, per account
        self.limits: dict[int, int] = {}

    @initialize()
    def customer(self) -> None:
        self.ann = make_customer(self.bank, "ann")
        self.admin = make_staff(self.bank, "ada", Role.ADMIN)
        self.checking = self.bank.accounts.open(self.ann, "checking").id
        cash_in(self.bank, self.checking, 100_000)
        self.balances[self.checking] = 100_000
        self.held[self.checking] = 0
        self.limits[self.checking] = 0

    def _add(self, issued: IssuedCard) -> int:
        card = issued.card
        self.model[card.id] = ModelCard(issued, card.account_id)
        self.balances.setdefault(card.account_id, 0)
        self.held.setdefault(card.account_id, 0)
        self.limits[card.account_id] = card.credit_limit
        return card.id

    def _issue(self, kind: CardKind, limit: int | None) -> int:
        usable = sum(not card.status.is_blocked for card in self.model.values())
        try:
            if kind == CardKind.DEBIT:
                issued = self.bank.cards.issue_debit(self.ann, self.checking)
            else:
                application = self.bank.cards.apply_for_credit(self.ann, limit or 0)
                self.bank.approvals.approve(self.admin, application.id)
                issued = self.bank.cards.issue_credit(self.ann, application.id)
        except ValidationFailed as error:
            assert usable >= MAX_USABLE_CARDS, error
            return next(iter(self.model))
        assert usable < MAX_USABLE_CARDS
        return self._add(issued)

    @rule(target=cards)
    def issue_debit(self) -> int:
        return self._issue(CardKind.DEBIT, None)

    @rule(target=cards, limit=st.integers(10_000, 80_000))
    def issue_credit(self, limit: int) -> int:
        return self._issue(CardKind.CREDIT, limit)

    @rule(card_id=cards, amount=amounts, right_cvv=st.booleans())
    def purchase(self, card_id: int, amount: int, right_cvv: bool) -> None:
        card = self.model[card_id]
        issued = card.issued
        cvv = issued.cvv if right_cvv else f"{(int(issued.cvv) + 1) % 1000:03d}"
        account = card.account_id
        available = self.balances[account] - self.held[account] + self.limits[account]
        try:
            self.bank.cards.purchase(
                self.ann,
                pan=issued.pan,
                expiry=issued.card.expiry,
                cvv=cvv,
                merchant="Shop",
                amount=amount,
            )
        except CardBlocked:
            assert card.status.is_blocked  # before the CVV is looked at
            return
        except CardFrozen:
            if card.status == CardStatus.FROZEN:
                return  # before the CVV is looked at: not counted
            assert card.status == CardStatus.ACTIVE and not right_cvv
            card.cvv_failures += 1
            assert card.cvv_failures == 3
            card.status, card.frozen_by_bank = CardStatus.FROZEN, True
            return
        except CardSecurityCodeWrong:
            assert not right_cvv and card.status == CardStatus.ACTIVE
            card.cvv_failures += 1
            assert card.cvv_failures < 3
            return
        except CardDeclined:
            assert right_cvv and card.status == CardStatus.ACTIVE and amount > available
            return
        assert right_cvv and card.status == CardStatus.ACTIVE and amount <= available
        card.cvv_failures = 0
        self.held[account] += amount

    @rule()
    def settle(self) -> None:
        """Close of business: every authorisation posts what it held."""
        self.bank.clearing.process_due(self.admin)
        for account, held in self.held.items():
            self.balances[account] -= held
            self.held[account] = 0

    @rule(card_id=cards)
    def toggle_freeze(self, card_id: int) -> None:
        card = self.model[card_id]
        try:
            if card.status == CardStatus.FROZEN:
                self.bank.cards.unfreeze(self.ann, card_id)
                assert not card.frozen_by_bank
                card.status, card.cvv_failures = CardStatus.ACTIVE, 0
            else:
                self.bank.cards.freeze(self.ann, card_id)
                card.status, card.frozen_by_bank = CardStatus.FROZEN, False
        except CardStatusConflict:
            assert card.status.is_blocked
        except PermissionDenied:
            assert card.frozen_by_bank

    @rule(card_id=cards, stolen=st.booleans())
    def report_lost(self, card_id: int, stolen: bool) -> None:
        card = self.model[card_id]
        try:
            self.bank.cards.report_lost(self.ann, card_id, stolen=stolen)
            card.status = CardStatus.STOLEN if stolen else CardStatus.LOST
        except CardStatusConflict:
            assert card.status.is_blocked

    @rule(target=cards, card_id=cards)
    def replace(self, card_id: int) -> int:
        card = self.model[card_id]
        try:
            issued = self.bank.cards.replace(self.ann, card_id)
        except CardStatusConflict:
            assert card.replaced or card.status in (CardStatus.CANCELLED, CardStatus.REPLACED)
            return card_id
        except PermissionDenied:
            assert card.frozen_by_bank  # only staff replace a card the bank blocked
            return card_id
        assert not card.replaced
        card.replaced = True
        if not card.status.is_blocked:
            card.status = CardStatus.REPLACED
        return self._add(issued)

    @rule(card_id=cards, amount=amounts)
    def pay(self, card_id: int, amount: int) -> None:
        card = self.model[card_id]
        owed = -self.balances[card.account_id]
        if card.issued.card.kind != CardKind.CREDIT:
            return
        spendable = self.balances[self.checking] - self.held[self.checking]
        try:
            self.bank.cards.pay(self.ann, card_id, self.checking, amount)
        except InvalidAmount:
            assert amount > owed
            return
        except Exception as exc:  # the checking account may be short of money
            assert "Insufficient funds" in str(exc) and amount > spendable
            return
        self.balances[self.checking] -= amount
        self.balances[card.account_id] += amount

    @invariant()
    def service_agrees_with_the_model(self) -> None:
        if not hasattr(self, "ann"):
            return
        views = {v.id: v for v in self.bank.cards.list_cards(self.ann)}
        assert set(views) == set(self.model)
        for card_id, card in self.model.items():
            view = views[card_id]
            assert view.status == card.status
            assert view.balance == self.balances[card.account_id]
            assert view.held == self.held[card.account_id]
            assert view.available >= 0

    @invariant()
    def books_verify(self) -> None:
        report = self.bank.verify()
        assert report.ok, report.problems

    def teardown(self) -> None:
        self.bank.close()
        shutil.rmtree(self.folder, ignore_errors=True)


CardMachine.TestCase.settings = settings(
    max_examples=10, stateful_step_count=25, deadline=None, phases=FAST_PHASES
)
TestCardMachine = CardMachine.TestCase
