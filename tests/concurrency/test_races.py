"""One race per stateful rule: four (or eight) real processes make the same call on the same
object at the same moment, on SQLite and PostgreSQL. Each rule must hold once: one close,
one payout of the drawer's cash, one use of a code, a lockout after the allowed guesses, one
approval, one resolution of a hold, one spend of the last credit, one entry per key; the
money is all accounted for and `bankapp verify` finds nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Actor, Role, SessionState
from bankapp.services.auth.second_factor import unix_step
from bankapp.services.ledger import BANK_CASH
from bankapp.services.standing_orders import NewStandingOrder
from bankapp.storage.models import (
    Account,
    AuditEvent,
    CashDrawer,
    SignInThrottle,
    User,
    UserSession,
)
from tests.concurrency.race import race
from tests.fixtures import (
    FROZEN_NOW,
    PASSWORD,
    TEST_SETTINGS,
    buy,
    credit_card,
    fund,
    make_customer,
    make_staff,
)

TILL = 157_500  # $1,575 of real cash in the drawer
_accounts = Account
_drawers = CashDrawer
_events = AuditEvent
_throttle = SignInThrottle


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FROZEN_NOW)


@pytest.fixture
def prepared(database_url: str, clock: FixedClock) -> Any:
    bank = open_bank(database_url, clock=clock, settings=TEST_SETTINGS)
    try:
        yield bank
    finally:
        bank.close()


def vault_balance(bank: Bank) -> int:
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(
                select(func.coalesce(func.sum(_accounts.c.balance), 0)).where(
                    _accounts.c.internal_code == BANK_CASH
                )
            ).scalar_one()
        )
    )


def count_events(bank: Bank, kind: str) -> int:
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(
                select(func.count()).select_from(_events).where(_events.c.kind == kind)
            ).scalar_one()
        )
    )


def assert_books_clean(bank: Bank) -> None:
    report = bank.verify()
    assert report.ok, report.problems
    assert bank.verify_audit().ok


# -- drawers --------------------------------------------------------------------------------


def test_a_drawer_closed_from_four_workstations_at_once_closes_once(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    teller = make_staff(prepared, "tina", Role.TELLER)
    vault_before = vault_balance(prepared)
    prepared.drawers.open_drawer(teller, TILL)

    outcomes = race(
        database_url,
        lambda bank, _: (bank.drawers.close_drawer(teller, TILL), "ok")[1],
        clock=clock,
    )

    assert outcomes == {"ok": 1, "drawer_state": 3}
    assert vault_balance(prepared) == vault_before  # $1,575 back in the vault, once
    assert count_events(prepared, "drawer.close") == 1
    assert_books_clean(prepared)


def test_one_drawers_cash_paid_out_to_four_withdrawals_at_once_is_paid_once(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    teller = make_staff(prepared, "tina", Role.TELLER)
    accounts = []
    for n in range(4):  # four customers at the counter: nothing else they share is locked
        customer = make_customer(prepared, f"customer{n}")
        accounts.append(prepared.accounts.open(customer, AccountKind.CHECKING).id)
        fund(prepared, accounts[-1], TILL)
    prepared.drawers.open_drawer(teller, TILL)

    outcomes = race(
        database_url,
        lambda bank, n: bank.payments.withdraw(teller, accounts[n], TILL).kind,
        clock=clock,
    )

    assert outcomes == {"withdrawal": 1, "drawer_state": 3}
    drawer = prepared.drawers.current(teller)
    assert drawer is not None and drawer.cash_on_hand == 0
    balances = sorted(prepared.accounts.get(teller, a).balance for a in accounts)
    assert balances == [0, TILL, TILL, TILL]
    assert_books_clean(prepared)


def test_cash_taken_while_the_drawer_closes_is_never_left_in_a_closed_drawer(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    teller = make_staff(prepared, "tina", Role.TELLER)
    alice = make_customer(prepared, "alice")
    account = prepared.accounts.open(alice, AccountKind.CHECKING).id
    prepared.drawers.open_drawer(teller, TILL)

    def close_or_take_cash(bank: Bank, n: int) -> str:
        if n == 0:
            bank.drawers.close_drawer(teller, TILL)
            return "closed"
        bank.payments.deposit(teller, account, 300, idempotency_key=f"d{n}")
        return "deposited"

    outcomes = race(database_url, close_or_take_cash, clock=clock)

    deposited = outcomes["deposited"]
    # The close counted $1,575 (the cash before any deposit): a deposit either came first,
    # and the count is short by it (within the tolerance), or found the drawer closed.
    assert outcomes["closed"] == 1 and deposited + outcomes["drawer_required"] == 3, outcomes
    assert prepared.accounts.get(alice, account).balance == 300 * deposited
    left = prepared.db.read(
        lambda tx: tx.conn.execute(
            select(_accounts.c.balance)
            .join(_drawers, _drawers.c.account_id == _accounts.c.id)
            .where(_drawers.c.status == "closed")
        ).scalar_one()
    )
    assert left == 0  # no cash stays behind in a closed drawer
    assert_books_clean(prepared)


# -- signing in -----------------------------------------------------------------------------


def enrolled_customer(bank: Bank, clock: FixedClock) -> tuple[str, tuple[str, ...]]:
    """carol with an authenticator (enrolled at this step) and her recovery codes."""
    carol = make_customer(bank, "carol")
    secret = bank.totp.begin_enrolment(carol).secret
    done = bank.totp.confirm_enrolment(
        carol, pyotp.TOTP(secret).generate_otp(unix_step(clock.now()))
    )
    return secret, done.recovery_codes


def waiting_sign_ins(bank: Bank, count: int) -> list[Actor]:
    """`count` sign-ins of carol's, each past the password and waiting for the code."""
    sessions = [bank.auth.login("carol", PASSWORD) for _ in range(count)]
    assert all(s.state == SessionState.NEEDS_SECOND_FACTOR for s in sessions)
    return [s.actor for s in sessions]


def active_sessions(bank: Bank) -> int:
    sessions = UserSession
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(
                select(func.count())
                .select_from(sessions)
                .where(
                    sessions.c.state == SessionState.ACTIVE.value, sessions.c.method != "operator"
                )
            ).scalar_one()
        )
    )


@pytest.mark.parametrize("which", ["authenticator code", "recovery code"])
def test_one_code_presented_by_four_sign_ins_at_once_signs_in_once(
    prepared: Bank, database_url: str, clock: FixedClock, which: str
) -> None:
    secret, recovery = enrolled_customer(prepared, clock)
    pending = waiting_sign_ins(prepared, 4)
    next_step = unix_step(clock.now()) + 1  # the enrolment used this step's code
    code = (
        pyotp.TOTP(secret).generate_otp(next_step)
        if which == "authenticator code"
        else (recovery[0])
    )
    before = active_sessions(prepared)

    outcomes = race(
        database_url,
        lambda bank, n: (bank.auth.complete_second_factor(pending[n], code), "ok")[1],
        clock=clock,
    )

    assert outcomes["ok"] == 1, outcomes
    assert set(outcomes) <= {"ok", "invalid_second_factor", "login_throttled"}
    assert active_sessions(prepared) == before + 1
    users = User
    stored = prepared.db.read(
        lambda tx: tx.conn.execute(
            select(users.c.recovery_codes).where(users.c.username == "carol")
        ).scalar_one()
    )
    used = 1 if which == "recovery code" else 0
    assert len(json.loads(stored)) == len(recovery) - used
    assert_books_clean(prepared)


def test_a_burst_of_wrong_passwords_counts_every_guess_and_locks_after_the_allowed_checks(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    # No waits between attempts here: the lockout alone must stop the burst.
    settings = replace(TEST_SETTINGS, throttle_after=100)
    make_customer(prepared, "dave")

    outcomes = race(
        database_url,
        lambda bank, n: (bank.auth.login("dave", f"wrong guess {n}"), "signed in")[1],
        racers=8,
        settings=settings,
        clock=clock,
    )

    checked = count_events(prepared, "login.failure")
    assert checked == settings.lockout_after  # five passwords were checked, no more
    assert outcomes == {
        "invalid_credentials": settings.lockout_after - 1,
        "user_locked": 8 - settings.lockout_after + 1,
    }
    failures = prepared.db.read(
        lambda tx: tx.conn.execute(
            select(_throttle.c.failures).where(_throttle.c.name == "dave")
        ).scalar_one()
    )
    assert failures == checked  # every checked guess was counted
    with pytest.raises(Exception) as refused:
        open_bank(database_url, settings=settings, clock=clock).auth.login("dave", PASSWORD)
    assert getattr(refused.value, "code", "") == "user_locked"


# -- approvals, holds, cards, keys ------------------------------------------------------------


def test_four_supervisors_approving_one_request_at_once_carry_it_out_once(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    alice = make_customer(prepared, "alice")
    account = prepared.accounts.open(alice, AccountKind.CHECKING).id
    teller = make_staff(prepared, "tina", Role.TELLER)
    admins = [make_staff(prepared, f"admin{n}", Role.ADMIN) for n in range(4)]
    prepared.drawers.open_drawer(teller, 0)
    item = prepared.approvals.submit(teller, "deposit", account, 2_000_000).id

    outcomes = race(
        database_url, lambda bank, n: bank.approvals.approve(admins[n], item).status, clock=clock
    )

    assert outcomes == {"approved": 1, "approval_state": 3}
    assert prepared.accounts.get(alice, account).balance == 2_000_000
    assert count_events(prepared, "money.deposit") == 1
    assert_books_clean(prepared)


@pytest.mark.parametrize("before", ["default", "changed before"])
def test_four_changes_to_one_setting_approved_at_once_apply_once(
    prepared: Bank, database_url: str, clock: FixedClock, before: str
) -> None:
    """Each change replaces the value it was asked from (no row yet, or revision 1): one
    conditional write wins, the other three fail and say so."""
    if before == "changed before":
        prepared.operator.set_setting("atm_daily_limit", "1,050")
    maker = make_staff(prepared, "maker", Role.ADMIN)
    admins = [make_staff(prepared, f"admin{n}", Role.ADMIN) for n in range(4)]
    items = [
        prepared.bank_settings.propose(maker, "atm_daily_limit", f"1,{n + 1}00").id
        for n in range(4)
    ]

    outcomes = race(
        database_url,
        lambda bank, n: bank.approvals.approve(admins[n], items[n]).status,
        clock=clock,
    )

    assert outcomes == {"approved": 1, "request_outdated": 3}
    statuses = [prepared.approvals.get(maker, i).status for i in items]
    assert sorted(statuses) == ["approved", "failed", "failed", "failed"]
    won = statuses.index("approved")
    prepared.ctx.reload_settings()
    assert prepared.settings.atm_daily_limit_cents == 100_000 + (won + 1) * 10_000
    assert count_events(prepared, "setting.change") == 1 + (before == "changed before")
    assert_books_clean(prepared)


def test_one_card_authorisation_captured_and_released_at_once_ends_once(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    alice = make_customer(prepared, "alice")
    account = prepared.accounts.open(alice, AccountKind.CHECKING).id
    fund(prepared, account, 10_000)
    card = prepared.cards.issue_debit(alice, account)
    buy(prepared, alice, card, 3_000)
    hold = prepared.cards.authorisations(alice, card.card.id)[0].hold_id
    admins = [make_staff(prepared, f"admin{n}", Role.ADMIN) for n in range(4)]

    def capture_or_release(bank: Bank, n: int) -> str:
        if n % 2:
            return bank.holds.release(admins[n], hold, "Merchant cancelled").status
        return bank.cards.capture(admins[n], hold).status

    outcomes = race(database_url, capture_or_release, clock=clock)

    won = {o for o in outcomes if o in ("captured", "released")}
    assert len(won) == 1 and outcomes[won.pop()] == 1, outcomes
    assert sum(outcomes.values()) == 4
    assert set(outcomes) - {"captured", "released"} <= {"approval_state", "invalid_input"}
    view = prepared.accounts.get(alice, account)
    expected = 10_000 - 3_000 if outcomes["captured"] else 10_000
    assert (view.balance, view.balance - view.available) == (expected, 0)
    assert_books_clean(prepared)


def test_four_purchases_each_spending_a_cards_whole_credit_at_once_one_is_authorised(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    alice = make_customer(prepared, "alice")
    card = credit_card(prepared, alice, 100_000)

    outcomes = race(
        database_url,
        lambda bank, n: (buy(bank, alice, card, 100_000, merchant=f"Shop {n}"), "ok")[1],
        clock=clock,
    )

    assert outcomes == {"ok": 1, "credit_limit_exceeded": 3}
    view = prepared.accounts.get(alice, card.card.account_id)
    assert view.available == 0 and view.balance == 0  # $1,000 held once, nothing posted yet
    assert_books_clean(prepared)


def test_one_request_id_sent_by_four_processes_at_once_posts_once(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    alice, bob = make_customer(prepared, "alice"), make_customer(prepared, "bob")
    source = prepared.accounts.open(alice, AccountKind.CHECKING).id
    target = prepared.accounts.open(bob, AccountKind.CHECKING)
    fund(prepared, source, 10_000)

    def send(bank: Bank, _: int) -> str:
        result = bank.payments.transfer(
            alice, source, target.number, 2_500, idempotency_key="same-form"
        )
        return f"entry {result.entry_id} {'replayed' if result.replayed else 'posted'}"

    outcomes = race(database_url, send, clock=clock)

    posted = [o for o in outcomes if o.endswith("posted")]
    assert len(posted) == 1 and outcomes[posted[0]] == 1, outcomes
    assert outcomes[posted[0].replace("posted", "replayed")] == 3
    assert prepared.accounts.get(alice, source).balance == 7_500
    assert prepared.accounts.get(bob, target.id).balance == 2_500
    assert_books_clean(prepared)


# -- close of business ----------------------------------------------------------------------


def test_a_business_day_closed_by_four_supervisors_at_once_is_closed_once(
    prepared: Bank, database_url: str, clock: FixedClock
) -> None:
    """Every step's cursor, each accrual day, each standing-order payment, the seal and the
    day itself are done once, whoever closes, however many at once."""
    from datetime import date, datetime

    from bankapp.storage.models import BusinessDay, JournalEntry, Seal

    alice, bob = make_customer(prepared, "alice"), make_customer(prepared, "bob")
    savers = [prepared.accounts.open(alice, AccountKind.SAVINGS).id for _ in range(3)]
    for account in savers:
        fund(prepared, account, 1_000_000)
    checking = prepared.accounts.open(alice, AccountKind.CHECKING).id
    fund(prepared, checking, 50_000)
    prepared.standing_orders.create(
        alice,
        NewStandingOrder(
            from_account_id=checking,
            to_account_number=prepared.accounts.open(bob, AccountKind.CHECKING).number,
            name="Rent",
            amount=10_000,
            frequency="monthly",
            day=25,
            start_date=FROZEN_NOW.date(),
        ),
    )
    clock.set(datetime(2026, 11, 30, 18, 0))  # a month end: interest is posted
    supervisor = make_staff(prepared, "sam", Role.ADMIN)

    outcomes = race(
        database_url,
        lambda bank, _: (bank.close_of_business.close_day(supervisor, date(2026, 11, 30)), "ok")[1],
        clock=clock,
    )

    entries, days, seals = JournalEntry, BusinessDay, Seal

    def count(table: Any, *where: Any) -> int:
        query = select(func.count()).select_from(table).where(*where)
        return int(prepared.db.read(lambda tx: tx.conn.execute(query).scalar_one()))

    assert outcomes == {"ok": 4}
    assert count(entries, entries.c.kind == "interest") == len(savers)
    assert count(entries, entries.c.kind == "standing_order") == 1
    assert count(days, days.c.status == "closed") == 1 and count(seals) == 1
    assert count_events(prepared, "close.done") == 1
    assert_books_clean(prepared)


# -- installation key -----------------------------------------------------------------------


def test_four_workstations_registering_different_keys_at_once_agree_on_one(
    prepared: Bank, database_url: str
) -> None:
    """A database that names no key yet takes the first workstation's, by a conditional
    update; every other workstation, holding another key, is refused (KeyMismatch) rather
    than overwriting it or going on with its own."""
    from sqlalchemy import update

    from bankapp.domain.keyed_hashes import key_fingerprint
    from bankapp.storage.keyring import KeyRing, register_or_check
    from bankapp.storage.models import Installation

    installation = Installation
    prepared.db.write(
        lambda tx: tx.conn.execute(
            update(installation).values(key_fingerprint=None, tag=None, registered_at=None)
        )
    )
    keys = [bytes([n + 1]) * 32 for n in range(4)]

    def register(bank: Bank, n: int) -> str:
        ring = KeyRing(lambda create: (keys[n],), lambda: f"workstation {n}")
        return "won " + bank.db.write(lambda tx: register_or_check(tx.conn, ring, tx.now))

    outcomes = race(database_url, register)

    [won] = [outcome for outcome in outcomes if outcome.startswith("won ")]
    assert outcomes[won] == 1 and outcomes["key_mismatch"] == 3, outcomes
    stored = prepared.db.read(
        lambda tx: tx.conn.execute(select(installation.c.key_fingerprint)).scalar_one()
    )
    assert won == f"won {stored}" and stored in {key_fingerprint(k) for k in keys}
