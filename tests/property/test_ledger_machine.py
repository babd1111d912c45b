"""A hypothesis state machine drives random deposits, withdrawals, transfers and retries
across several customers and checks the ledger's invariants after every step."""

from __future__ import annotations

import shutil
import tempfile
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
from sqlalchemy import select

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Actor
from bankapp.errors import AccountNotOpen, InsufficientFunds
from bankapp.services.ledger import BANK_CASH
from bankapp.storage.models import Account
from tests.fixtures import FROZEN_NOW, TEST_SETTINGS, make_customer

amounts = st.integers(min_value=1, max_value=50_000)


class LedgerMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="bankapp-prop-"))
        self.bank: Bank = open_bank(
            f"sqlite:///{self.folder}/bank.db",
            create=True,
            clock=FixedClock(FROZEN_NOW),
            settings=TEST_SETTINGS,
        )
        self.owners: dict[int, Actor] = {}
        self.numbers: dict[int, str] = {}
        self.model: dict[int, int] = {}  # the balances we expect
        self.cash_out = 0  # net cash that left the bank's cash account
        self.keys: dict[str, tuple[int, int, int]] = {}

    @initialize()
    def customers(self) -> None:
        self.customers_list = [make_customer(self.bank, name) for name in ("ann", "ben", "cat")]

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
        self.bank.payments.deposit(self.owners[account], account, amount)
        self.model[account] += amount
        self.cash_out -= amount

    @rule(account=accounts, amount=amounts)
    def withdraw(self, account: int, amount: int) -> None:
        try:
            self.bank.payments.withdraw(self.owners[account], account, amount)
        except InsufficientFunds:
            assert amount > self.model[account]
            return
        assert amount <= self.model[account]
        self.model[account] -= amount
        self.cash_out += amount

    @rule(source=accounts, dest=accounts, amount=amounts, key=st.uuids().map(str))
    def transfer(self, source: int, dest: int, amount: int, key: str) -> None:
        if source == dest:
            return
        try:
            result = self.bank.payments.transfer(
                self.owners[source], source, self.numbers[dest], amount, idempotency_key=key
            )
        except InsufficientFunds:
            assert amount > self.model[source]
            return
        assert not result.replayed
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
        total = sum(self.model.values())
        assert total == self.cash_out * -1
        table = Account.__table__
        cash = self.bank.db.read(
            lambda tx: tx.conn.execute(
                select(table.c.balance).where(table.c.internal_code == BANK_CASH)
            ).scalar()
        )
        assert (cash or 0) == self.cash_out

    def teardown(self) -> None:
        self.bank.close()
        shutil.rmtree(self.folder, ignore_errors=True)


LedgerMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=25, deadline=None)
TestLedgerMachine = LedgerMachine.TestCase
