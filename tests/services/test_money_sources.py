"""Where a customer's money comes from: their own deposit is a check, held until it clears
(and reversible until then); their cash comes from the ATM; daily limits on both and on
transfers to others cannot be split; cash at the counter goes through a drawer and is
available at once."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import (
    AccountNotOpen,
    DailyLimitExceeded,
    InsufficientFunds,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from bankapp.services.ledger import BANK_CASH
from bankapp.storage.models import Account
from tests.fixtures import (
    counter_staff,
    entry_count,
    funded_account,
    make_customer,
    make_staff,
    settle,
)


def _available(bank: Bank, actor: object, account: int) -> tuple[int, int, int]:
    view = bank.accounts.get(actor, account)  # type: ignore[arg-type]
    return view.balance, view.held, view.available


def test_a_customer_cannot_deposit_money_out_of_thin_air(bank: Bank) -> None:
    """The attack: a self-registered customer "deposited" $10,000,000 a call into their own
    account out of Bank cash, and then moved it out. Now their deposit is a check: booked
    against the clearing account, within a daily limit, and not available until it clears."""
    mallory = make_customer(bank, "mallory")
    account = funded_account(bank, mallory, 0)
    entries = entry_count(bank)
    with pytest.raises(DailyLimitExceeded, match=r"limit is \$5,000\.00 a day and \$5,000\.00"):
        bank.payments.deposit(mallory, account, 1_000_000_000)
    assert entry_count(bank) == entries and _available(bank, mallory, account) == (0, 0, 0)
    bank.payments.deposit(mallory, account, 300_000)
    assert _available(bank, mallory, account) == (300_000, 300_000, 0)
    with pytest.raises(DailyLimitExceeded) as caught:
        bank.payments.deposit(mallory, account, 200_001)
    assert (caught.value.limit, caught.value.left) == (500_000, 200_000)
    for move_out in (
        lambda: bank.payments.withdraw(mallory, account, 1),
        lambda: bank.payments.transfer(
            mallory, account, funded_account(bank, make_customer(bank, "mule"), 0), 1
        ),
    ):
        with pytest.raises((InsufficientFunds, AccountNotOpen, NotFound)):
            move_out()
    assert _available(bank, mallory, account) == (300_000, 300_000, 0)
    assert bank.verify().ok


def test_a_check_clears_after_the_delay_and_then_it_is_available(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    bank.payments.deposit(alice, account, 40_000, memo="Salary")
    (hold,) = bank.holds.list_holds(alice, account)
    assert (hold.kind, hold.amount, hold.status) == ("deposit", 40_000, "held")
    assert hold.release_at == clock.now() + bank.settings.clearing_delay
    settle(bank)  # not due yet
    assert _available(bank, alice, account) == (40_000, 40_000, 0)
    clock.advance(bank.settings.clearing_delay)
    settle(bank)
    assert _available(bank, alice, account) == (40_000, 0, 40_000)
    assert bank.holds.list_holds(alice, account) == []
    (cleared,) = bank.holds.list_holds(alice, account, active_only=False)
    assert cleared.status == "released"
    bank.payments.withdraw(alice, account, 40_000)
    assert bank.verify().ok


def test_staff_release_an_uncleared_deposit_early_or_return_it(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = funded_account(bank, alice, 0)
    bank.payments.deposit(alice, account, 10_000)
    bank.payments.deposit(alice, account, 25_000)
    first, second = sorted(bank.holds.list_holds(teller, account), key=lambda h: h.id)
    with pytest.raises(PermissionDenied):
        bank.holds.release(alice, first.id, "I say so")
    with pytest.raises(PermissionDenied):
        bank.payments.return_deposit(alice, second.id, "Mine")
    assert bank.holds.release(teller, first.id, "Known payer").status == "released"
    assert _available(bank, alice, account) == (35_000, 25_000, 10_000)
    returned = bank.payments.return_deposit(teller, second.id, "Account closed at payer bank")
    assert returned.kind == "check_return"
    assert _available(bank, alice, account) == (10_000, 0, 10_000)
    for again in (
        lambda: bank.payments.return_deposit(teller, second.id, "again"),
        lambda: bank.holds.release(teller, second.id, "again"),
        lambda: bank.payments.return_deposit(teller, first.id, "too late"),
    ):
        with pytest.raises(ValidationFailed, match=r"no longer on hold|already"):
            again()
    assert _available(bank, alice, account) == (10_000, 0, 10_000)
    assert bank.verify().ok


def test_a_returned_check_cannot_overdraw_because_it_was_never_available(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = funded_account(bank, alice, 5_000)
    bank.payments.deposit(alice, account, 100_000)
    with pytest.raises(InsufficientFunds, match=r"available \$50\.00"):
        bank.payments.withdraw(alice, account, 6_000)
    bank.payments.withdraw(alice, account, 5_000)  # her cash from before: fine
    (hold,) = bank.holds.list_holds(teller, account)
    bank.payments.return_deposit(teller, hold.id, "Bounced")
    assert _available(bank, alice, account) == (0, 0, 0)
    assert bank.verify().ok


def test_customer_cash_comes_from_the_atm_within_a_daily_limit(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 500_000)
    limit = bank.settings.atm_daily_limit_cents
    bank.payments.withdraw(alice, account, limit - 2_000)
    entries = entry_count(bank)
    with pytest.raises(DailyLimitExceeded, match=r"ATM cash: .* \$20\.00 is left today"):
        bank.payments.withdraw(alice, account, 2_001)
    assert entry_count(bank) == entries
    result = bank.payments.withdraw(alice, account, 2_000)
    assert result.kind == "atm_withdrawal"
    assert bank.accounts.get(alice, account).balance == 500_000 - limit


def test_daily_limits_start_again_the_next_business_day(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 500_000)
    limit = bank.settings.atm_daily_limit_cents
    bank.payments.withdraw(alice, account, limit)
    with pytest.raises(DailyLimitExceeded):
        bank.payments.withdraw(alice, account, 1)
    clock.advance(timedelta(days=1))
    bank.payments.withdraw(alice, account, limit)


def test_transfers_to_other_customers_have_a_daily_limit_but_own_accounts_do_not(
    bank: Bank,
) -> None:
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    account = funded_account(bank, alice, 2_000_000)
    savings = bank.accounts.open(alice, AccountKind.SAVINGS)
    bobs = bank.accounts.open(bob, AccountKind.CHECKING)
    limit = bank.settings.transfer_out_daily_limit_cents
    bank.payments.transfer(alice, account, bobs.number, limit - 100)
    with pytest.raises(DailyLimitExceeded, match=r"other customers: .* \$1\.00 is left"):
        bank.payments.transfer(alice, account, bobs.number, 101)
    bank.payments.transfer(alice, account, savings.number, 1_000_000)  # her own: no limit
    assert bank.accounts.get(bob, bobs.id).balance == limit - 100


def test_cash_at_the_counter_goes_through_the_drawer_and_is_available_at_once(
    bank: Bank,
) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = funded_account(bank, alice, 0)
    bank.drawers.open_drawer(teller, 10_000)
    bank.payments.deposit(teller, account, 700_000)  # no check limit, no hold
    assert _available(bank, alice, account) == (700_000, 0, 700_000)
    assert bank.drawers.current(teller).cash_on_hand == 710_000  # type: ignore[union-attr]


def test_the_vault_holds_what_the_branch_really_holds(bank: Bank) -> None:
    """Opening cash comes out of the vault; the counted cash goes back into it."""
    teller = make_staff(bank, "tina", Role.TELLER)
    admin = make_staff(bank, "ada", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)

    accounts = Account

    def vault_cash() -> int:
        vault = bank.db.read(
            lambda tx: tx.conn.execute(
                select(accounts.c.id).where(accounts.c.internal_code == BANK_CASH)
            ).scalar_one_or_none()
        )
        return 0 if vault is None else -bank.accounts.get(admin, vault).balance

    before = vault_cash()
    bank.drawers.open_drawer(teller, 100_000)
    assert vault_cash() == before - 100_000
    bank.payments.deposit(teller, account, 5_000)
    bank.drawers.close_drawer(teller, 105_000)
    assert vault_cash() == before + 5_000
    assert bank.verify().ok


def test_staff_hold_available_money_for_a_reason_and_it_counts_against_every_debit(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = funded_account(bank, alice, 10_000)
    hold = bank.holds.place(
        teller, account, 8_000, "Garnishment order 12", until=clock.now() + timedelta(days=3)
    )
    assert _available(bank, alice, account) == (10_000, 8_000, 2_000)
    with pytest.raises(InsufficientFunds):
        bank.holds.place(teller, account, 2_001, "Second order", until=clock.now() + timedelta(1))
    with pytest.raises(InsufficientFunds):
        bank.payments.withdraw(alice, account, 2_001)
    with pytest.raises(ValidationFailed, match="card number"):
        bank.holds.place(
            teller, account, 1, "card 4111 1111 1111 1111", until=clock.now() + timedelta(1)
        )
    clock.advance(timedelta(days=3))
    settle(bank)
    assert bank.holds.list_holds(alice, account, active_only=False)[0].id == hold.id
    assert _available(bank, alice, account) == (10_000, 0, 10_000)


@pytest.mark.parametrize("until", ["tomorrow", 1_800_000_000, None])
def test_a_hold_end_that_is_not_a_time_is_refused_and_nothing_is_held(
    bank: Bank, until: object
) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = funded_account(bank, alice, 10_000)
    with pytest.raises(ValidationFailed, match="date and time") as refused:
        bank.holds.place(teller, account, 100, "Court order", until=until)  # type: ignore[arg-type]
    assert refused.value.field == "until"
    assert _available(bank, alice, account) == (10_000, 0, 10_000)


def test_a_hold_end_with_a_time_zone_is_the_same_moment_in_utc(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = funded_account(bank, alice, 10_000)
    in_new_york = (
        (clock.now() + timedelta(days=2))
        .replace(tzinfo=UTC)
        .astimezone(ZoneInfo("America/New_York"))
    )
    hold = bank.holds.place(teller, account, 100, "Court order", until=in_new_york)
    assert hold.release_at == clock.now() + timedelta(days=2)
    with pytest.raises(ValidationFailed, match="future"):
        bank.holds.place(teller, account, 100, "Court order", until=clock.now().replace(tzinfo=UTC))


def test_clearing_is_for_admins_and_runs_twice_without_doing_anything_twice(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = funded_account(bank, alice, 0)
    bank.payments.deposit(alice, account, 1_000)
    clock.advance(bank.settings.clearing_delay)
    for caller in (alice, teller):
        with pytest.raises(PermissionDenied):
            bank.clearing.process_due(caller)
    _, supervisor = counter_staff(bank)
    first = bank.clearing.process_due(supervisor)
    again = bank.clearing.process_due(supervisor)
    assert (first.deposits_cleared, again.deposits_cleared) == (1, 0)
    assert _available(bank, alice, account) == (1_000, 0, 1_000)


def test_a_preview_checks_every_rule_and_moves_nothing(bank: Bank) -> None:
    """The forms validate before asking to confirm by running the real posting and rolling
    it back: the same refusals, and when it would pass, nothing moved, counted or audited."""
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 10_000)
    before = (entry_count(bank), bank.verify().audit_events)
    with pytest.raises(DailyLimitExceeded):
        bank.payments.preview(alice, "deposit", account, 600_000)
    with pytest.raises(InsufficientFunds):
        bank.payments.preview(alice, "withdraw", account, 10_001)
    would = bank.payments.preview(alice, "withdraw", account, 10_000)
    assert would.balances[account] == 0 and would.kind == "atm_withdrawal"
    for _ in range(3):  # a preview counts nothing against the daily limit either
        bank.payments.preview(alice, "deposit", account, 500_000)
    assert (entry_count(bank), bank.verify().audit_events) == before
    assert bank.accounts.get(alice, account).balance == 10_000
    bank.payments.deposit(alice, account, 500_000)
