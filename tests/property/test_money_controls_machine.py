"""A hypothesis state machine over customers, a teller and two admins doing everything the
money controls govern: check deposits (held, within a daily limit), clearing, returned
checks, ATM cash (daily limit), transfers to others (daily limit), card authorisations and
their settlement, staff holds, releases, cash at the teller's drawer that the customer's day
of cash takes over the approval threshold, and the approvals of those requests.

After every step: every balance and hold is as the model says, every internal account holds
exactly the money that went through it (money is conserved across all accounts), no available
balance is below its floor, a resolved hold cannot be resolved again, and `verify` is clean.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import (
    ApprovalRequired,
    CardInsufficientFunds,
    DailyLimitExceeded,
    DrawerState,
    InsufficientFunds,
    ValidationFailed,
)
from bankapp.services.cards.card_rows import MERCHANT_SETTLEMENT
from bankapp.services.ledger import BANK_CASH
from bankapp.services.payments import ATM, CHECK_CLEARING
from bankapp.storage.models import Account, Hold
from tests.fixtures import FROZEN_NOW, TEST_SETTINGS, make_customer, make_staff, migrated_sqlite

amounts = st.integers(min_value=1, max_value=120_000)
OPENING_CASH = 300_000
FAST_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.explain)
_accounts = Account
_holds = Hold


@dataclass
class ModelHold:
    account: int
    amount: int
    kind: str  # deposit | card | staff
    release_at: datetime
    status: str = "held"


@dataclass
class ModelRequest:
    kind: str  # deposit | withdrawal
    who: int
    amount: int


class MoneyControlsMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    resolved = Bundle("resolved")
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="bankapp-controls-prop-"))
        self.clock = FixedClock(FROZEN_NOW)
        self.bank: Bank = open_bank(
            migrated_sqlite(self.folder),
            clock=self.clock,
            settings=TEST_SETTINGS,
        )
        self.s = self.bank.settings
        self.balance: dict[int, int] = {}
        self.model_holds: dict[int, ModelHold] = {}
        self.pending: dict[int, ModelRequest] = {}
        self.drawer_cash = OPENING_CASH
        self.checks_in_clearing = 0  # ledger balance of the clearing account
        self.atm_paid = 0
        self.merchants = 0
        self.totals: Counter[tuple[int, str]] = Counter()  # (customer, limit kind) today

    # -- the branch -------------------------------------------------------------------------

    @initialize()
    def branch(self) -> None:
        self.customers: list[Actor] = [make_customer(self.bank, n) for n in ("ann", "ben")]
        self.accounts = [
            self.bank.accounts.open(c, AccountKind.CHECKING).id for c in self.customers
        ]
        self.numbers = [self.bank.accounts.get(c, a).number for c, a in self.both()]
        for account in self.accounts:
            self.balance[account] = 0
        self.cards: list[IssuedCard] = [self.bank.cards.issue_debit(c, a) for c, a in self.both()]
        self.teller = make_staff(self.bank, "tina", Role.TELLER)
        self.admin = make_staff(self.bank, "ada", Role.ADMIN)
        self.bank.drawers.open_drawer(self.teller, OPENING_CASH)  # out of the vault

    def both(self) -> list[tuple[Actor, int]]:
        return list(zip(self.customers, self.accounts, strict=True))

    def available(self, account: int) -> int:
        held = sum(
            h.amount
            for h in self.model_holds.values()
            if h.account == account and h.status == "held"
        )
        return self.balance[account] - held

    def _count(self, who: int, kind: str, amount: int, limit: int) -> bool:
        """Whether `amount` fits under the customer's limit of `kind` today (and count it)."""
        if self.totals[(who, kind)] + amount > limit:
            return False
        self.totals[(who, kind)] += amount
        return True

    def _new_hold(self, account: int, amount: int, kind: str, release_at: datetime) -> int:
        hold_id = self.bank.db.read(
            lambda tx: tx.conn.execute(select(func.max(_holds.c.id))).scalar_one()
        )
        self.model_holds[hold_id] = ModelHold(account, amount, kind, release_at)
        return int(hold_id)

    # -- customers ------------------------------------------------------------------------

    @rule(target=holds, who=st.integers(0, 1), amount=amounts)
    def check_deposit(self, who: int, amount: int) -> int:
        actor, account = self.both()[who]
        limit = self.s.check_deposit_daily_limit_cents
        try:
            self.bank.payments.deposit(actor, account, amount)
        except DailyLimitExceeded:
            assert self.totals[(who, "check")] + amount > limit
            return -1
        assert self._count(who, "check", amount, limit)
        self.balance[account] += amount
        self.checks_in_clearing -= amount
        return self._new_hold(account, amount, "deposit", self.clock.now() + self.s.clearing_delay)

    @rule(who=st.integers(0, 1), amount=amounts)
    def atm_withdrawal(self, who: int, amount: int) -> None:
        actor, account = self.both()[who]
        limit = self.s.atm_daily_limit_cents
        try:
            self.bank.payments.withdraw(actor, account, amount)
        except DailyLimitExceeded:
            assert self.totals[(who, "atm")] + amount > limit
            return
        except InsufficientFunds:
            assert self.totals[(who, "atm")] + amount <= limit
            assert amount > self.available(account)
            return
        assert self._count(who, "atm", amount, limit) and amount <= self.available(account)
        self.totals[(who, "reportable")] += amount
        self.balance[account] -= amount
        self.atm_paid += amount

    @rule(who=st.integers(0, 1), amount=amounts)
    def transfer_to_the_other(self, who: int, amount: int) -> None:
        actor, account = self.both()[who]
        other = self.accounts[1 - who]
        limit = self.s.transfer_out_daily_limit_cents
        try:
            self.bank.payments.transfer(actor, account, self.numbers[1 - who], amount)
        except DailyLimitExceeded:
            assert self.totals[(who, "transfer")] + amount > limit
            return
        except InsufficientFunds:
            assert amount > self.available(account)
            return
        assert self._count(who, "transfer", amount, limit) and amount <= self.available(account)
        self.totals[(who, "reportable")] += amount
        self.balance[account] -= amount
        self.balance[other] += amount

    @rule(target=holds, who=st.integers(0, 1), amount=amounts)
    def card_purchase(self, who: int, amount: int) -> int:
        actor, account = self.both()[who]
        card = self.cards[who]
        try:
            self.bank.cards.purchase(
                actor,
                pan=card.pan,
                expiry=card.card.expiry,
                cvv=card.cvv,
                merchant="Shop",
                amount=amount,
            )
        except CardInsufficientFunds:
            assert amount > self.available(account)
            return -1
        assert amount <= self.available(account)
        release = self.clock.now() + self.s.authorisation_lifetime
        return self._new_hold(account, amount, "card", release)

    # -- the teller ---------------------------------------------------------------------------

    @rule(target=requests, who=st.integers(0, 1), amount=amounts, cash_in=st.booleans())
    def cash_at_the_counter(self, who: int, amount: int, cash_in: bool) -> int:
        account = self.accounts[who]
        move = self.bank.payments.deposit if cash_in else self.bank.payments.withdraw
        over = self.totals[(who, "reportable")] + amount > self.s.approval_threshold_cents
        try:
            move(self.teller, account, amount)
        except DrawerState:
            assert not over and not cash_in and amount > self.drawer_cash
            return -1
        except ApprovalRequired:
            assert over  # whatever the drawer holds now: approval checks it again
            item = self.bank.approvals.submit(
                self.teller, "deposit" if cash_in else "withdrawal", account, amount
            )
            self.pending[item.id] = ModelRequest(item.kind, who, amount)
            return item.id
        except InsufficientFunds:
            assert not cash_in and not over and amount > self.available(account)
            return -1
        assert not over and (cash_in or amount <= min(self.drawer_cash, self.available(account)))
        self._cash(who, amount, cash_in)
        return -1

    def _cash(self, who: int, amount: int, cash_in: bool) -> None:
        signed = amount if cash_in else -amount
        self.balance[self.accounts[who]] += signed
        self.drawer_cash += signed
        self.totals[(who, "reportable")] += amount

    @rule(target=holds, who=st.integers(0, 1), amount=amounts, days=st.integers(1, 3))
    def staff_hold(self, who: int, amount: int, days: int) -> int:
        account = self.accounts[who]
        until = self.clock.now() + timedelta(days=days)
        try:
            self.bank.holds.place(self.teller, account, amount, "Court order", until=until)
        except InsufficientFunds:
            assert amount > self.available(account)
            return -1
        assert amount <= self.available(account)
        return self._new_hold(account, amount, "staff", until)

    @rule(target=resolved, hold=consumes(holds))
    def release(self, hold: int) -> int:
        model = self.model_holds.get(hold)
        if model is None or model.status != "held":
            return -1
        self.bank.holds.release(self.teller, hold, "Checked")
        model.status = "released"
        return hold

    @rule(target=resolved, hold=consumes(holds))
    def return_the_check(self, hold: int) -> int:
        model = self.model_holds.get(hold)
        if model is None or model.status != "held" or model.kind != "deposit":
            return -1
        self.bank.payments.return_deposit(self.teller, hold, "Bounced")
        model.status = "returned"
        self.balance[model.account] -= model.amount
        self.checks_in_clearing += model.amount
        return hold

    @rule(hold=resolved)
    def resolving_again_is_refused(self, hold: int) -> None:
        if hold < 0:
            return
        before = self.bank.verify()
        for again in (
            lambda: self.bank.holds.release(self.teller, hold, "again"),
            lambda: self.bank.payments.return_deposit(self.teller, hold, "again"),
        ):
            try:
                again()
            except ValidationFailed:
                pass
            except Exception as exc:  # a typed refusal of another kind is fine too
                assert exc.__class__.__name__ == "PermissionDenied", exc
            else:
                raise AssertionError(f"hold {hold} was resolved twice")
        assert self.bank.verify().entries == before.entries

    # -- the supervisors ------------------------------------------------------------------

    @rule(item=consumes(requests), approve=st.booleans())
    def decide(self, item: int, approve: bool) -> None:
        request = self.pending.pop(item, None)
        if request is None:
            return
        if not approve:
            self.bank.approvals.reject(self.admin, item, "Not today")
            return
        account, cash_in = self.accounts[request.who], request.kind == "deposit"
        try:
            self.bank.approvals.approve(self.admin, item)
        except DrawerState:
            assert not cash_in and request.amount > self.drawer_cash
            return
        except InsufficientFunds:
            assert not cash_in and request.amount > self.available(account)
            return
        assert cash_in or request.amount <= min(self.drawer_cash, self.available(account))
        self._cash(request.who, request.amount, cash_in)

    @precondition(lambda self: hasattr(self, "admin"))
    @rule()
    def next_day(self) -> None:
        """A day passes and the clearing runs: due deposits clear, authorisations settle,
        staff holds that ran out end; the daily limits start again."""
        self.clock.advance(timedelta(days=1))
        self.bank.clearing.process_due(self.admin)
        now = self.clock.now()
        for model in self.model_holds.values():
            if model.status != "held":
                continue
            if model.kind == "card":
                model.status = "expired" if model.release_at <= now else "captured"
                if model.status == "captured":
                    self.balance[model.account] -= model.amount
                    self.merchants += model.amount
            elif model.release_at <= now:
                model.status = "released" if model.kind == "deposit" else "expired"
        self.totals.clear()

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def every_balance_and_hold_is_as_modelled(self) -> None:
        if not hasattr(self, "admin"):
            return
        for actor, account in self.both():
            view = self.bank.accounts.get(actor, account)
            assert view.balance == self.balance[account]
            assert view.available == self.available(account) >= 0
        stored = dict(
            self.bank.db.read(
                lambda tx: tx.conn.execute(select(_holds.c.id, _holds.c.status)).all()
            )
        )
        assert {i: h.status for i, h in self.model_holds.items()} == stored

    @invariant()
    def money_is_conserved_across_every_account(self) -> None:
        if not hasattr(self, "admin"):
            return
        rows = self.bank.db.read(
            lambda tx: tx.conn.execute(
                select(_accounts.c.internal_code, _accounts.c.balance, _accounts.c.held)
            ).all()
        )
        assert sum(row.balance for row in rows) == 0
        internal = {row.internal_code: row.balance for row in rows if row.internal_code}
        drawer = next(v for k, v in internal.items() if k.startswith("drawer:"))
        assert drawer == -self.drawer_cash
        assert internal.get(BANK_CASH, 0) == OPENING_CASH
        assert internal.get(CHECK_CLEARING, 0) == self.checks_in_clearing
        assert internal.get(ATM, 0) == self.atm_paid
        assert internal.get(MERCHANT_SETTLEMENT, 0) == self.merchants

    @invariant()
    def the_books_verify(self) -> None:
        report = self.bank.verify()
        assert report.ok, report.problems

    def teardown(self) -> None:
        self.bank.close()
        shutil.rmtree(self.folder, ignore_errors=True)


MoneyControlsMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None, phases=FAST_PHASES
)
TestMoneyControlsMachine = MoneyControlsMachine.TestCase
