"""A hypothesis state machine drives random cash deposits and withdrawals at a teller's
drawer, transfers and retries across several customers and checks the ledger's invariants
after every step: balances as modelled, the books verify, and the customers hold exactly the
cash the drawer took in. (`test_money_controls_machine.py` covers holds, limits, clearing and
approvals.)"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import AccountNotOpen, DailyLimitExceeded, DrawerState, InsufficientFunds
from tests.fixtures import FROZEN_NOW, TEST_SETTINGS, make_customer, make_staff, migrated_sqlite

amounts = st.integers(min_value=1, max_value=50_000)
# The daily approval threshold is the money-controls machine's subject; here cash moves freely.
NO_THRESHOLD = replace(TEST_SETTINGS, approval_threshold_cents=10**12)


class LedgerMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="bankapp-prop-"))
        self.bank: Bank = open_bank(
            migrated_sqlite(self.folder),
            clock=FixedClock(FROZEN_NOW),
            settings=NO_THRESHOLD,
        )
        self.owners: dict[int, Actor] = {}
        self.numbers: dict[int, str] = {}
        self.model: dict[int, int] = {}  # the balances we expect
        self.cash_in = 0  # net cash the teller's drawer took in
        self.keys: dict[str, tuple[int, int, int]] = {}
        self.sent_today: Counter[int] = Counter()  # to other customers, per payer

    @initialize()
    def customers(self) -> None:
        self.customers_list = [make_customer(self.bank, name) for name in ("ann", "ben", "cat")]
        self.teller = make_staff(self.bank, "tina", Role.TELLER)
        self.bank.drawers.open_drawer(self.teller, 0)

    @rule(target=accounts, who=st.integers(0, 2), kind=st.sampled_from(list(AccountKind)[:3]))
    def open_account(self, who: int, kind: AccountKind) -> int:
        actor = self.customers_list[who]
        view = self.bank.accounts.open(actor, kind)
        self.owners[view.id] = actor
        self.numbers[view.id] = view.number
        self.model[view.id] = 0
        return view.id

    @rule(account=accounts, amount=amounts)
    def deposit(self, account: int, amount: int) -> None:
        self.bank.payments.deposit(self.teller, account, amount)
        self.model[account] += amount
        self.cash_in += amount

    @rule(account=accounts, amount=amounts)
    def withdraw(self, account: int, amount: int) -> None:
        try:
            self.bank.payments.withdraw(self.teller, account, amount)
        except InsufficientFunds:
            assert amount > self.model[account]
            return
        except DrawerState:
            assert amount > self.cash_in  # the drawer holds only what it took in
            return
        assert amount <= self.model[account] and amount <= self.cash_in
        self.model[account] -= amount
        self.cash_in -= amount

    @rule(source=accounts, dest=accounts, amount=amounts, key=st.uuids().map(str))
    def transfer(self, source: int, dest: int, amount: int, key: str) -> None:
        if source == dest:
            return
        payer = self.owners[source].user_id
        to_another = payer != self.owners[dest].user_id
        limit = self.bank.settings.transfer_out_daily_limit_cents
        try:
            result = self.bank.payments.transfer(
                self.owners[source], source, self.numbers[dest], amount, idempotency_key=key
            )
        except InsufficientFunds:
            assert amount > self.model[source]
            return
        except DailyLimitExceeded as refused:
            assert to_another and self.sent_today[payer] + amount > limit
            assert refused.left == limit - self.sent_today[payer]
            return
        assert not result.replayed
        if to_another:
            assert self.sent_today[payer] + amount <= limit
            self.sent_today[payer] += amount
        self.model[source] -= amount
        self.model[dest] += amount
        self.keys[key] = (source, dest, amount)

    @precondition(lambda self: bool(self.keys))
    @rule(data=st.data())
    def retry_a_transfer(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.keys)))
        source, dest, amount = self.keys[key]
        try:
            result = self.bank.payments.transfer(
                self.owners[source], source, self.numbers[dest], amount, idempotency_key=key
            )
        except AccountNotOpen:
            raise AssertionError("a replay must not re-check the accounts") from None
        assert result.replayed

    @invariant()
    def balances_match_the_model_and_the_books_balance(self) -> None:
        if not self.model:
            return
        for account, expected in self.model.items():
            view = self.bank.accounts.get(self.owners[account], account)
            assert view.balance == expected
            assert view.balance >= 0
        report = self.bank.verify()
        assert report.ok, report.problems

    @invariant()
    def money_is_conserved(self) -> None:
        if not hasattr(self, "teller"):
            return
        assert sum(self.model.values()) == self.cash_in
        drawer = self.bank.drawers.current(self.teller)
        assert drawer is not None and drawer.cash_on_hand == self.cash_in

    def teardown(self) -> None:
        self.bank.close()
        shutil.rmtree(self.folder, ignore_errors=True)


LedgerMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=25, deadline=None)
TestLedgerMachine = LedgerMachine.TestCase
