"""Sessions in the service layer: who is acting is decided here, never by what a caller claims.

A sign-in moves through its steps only by the calls that satisfy them; an idle session is
locked until the password is given again; a password change, a disable, a reset or a role
change ends sessions; results and errors carry only what the caller may see; idempotency keys
belong to their caller. (Every method against every bad session: test_permission_matrix.py.)
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.statement_types import StatementPeriod
from bankapp.domain.types import AccountKind, Actor, Role, SessionState
from bankapp.errors import (
    AccountLocked,
    AccountNotOpen,
    InvalidCredentials,
    LoginThrottled,
    NotFound,
    PermissionDenied,
    SessionEnded,
    SessionInvalid,
    SessionLocked,
    SignInIncomplete,
    ValidationFailed,
)
from bankapp.services.audit_log import AuditFilter
from bankapp.storage.models import AuditEvent, JournalEntry
from tests.fixtures import (
    PASSWORD,
    SESSION_SETTINGS,
    audit_kinds,
    funded_account,
    make_customer,
    make_staff,
    session_for,
)

NEW_PASSWORD = "a-brand-new-long-passphrase"


# -- who is acting ----------------------------------------------------------------------------


def test_a_forged_actor_with_the_right_id_and_role_is_refused(bank: Bank) -> None:
    admin = make_staff(bank, "boss", Role.ADMIN)
    forged = Actor(admin.user_id, admin.username, Role.ADMIN, session="made-up-token")
    with pytest.raises(SessionInvalid):
        bank.staff.page(forged)
    with pytest.raises(SessionInvalid):  # no session at all
        bank.staff.page(Actor(admin.user_id, admin.username, Role.ADMIN))


def test_a_real_session_with_a_claimed_role_acts_with_the_role_in_the_database(
    bank: Bank,
) -> None:
    alice = make_customer(bank, "alice")
    claims_admin = Actor(alice.user_id, "boss", Role.ADMIN, session=alice.session)
    with pytest.raises(PermissionDenied):
        bank.staff.page(claims_admin)
    account = bank.accounts.open(claims_admin, AccountKind.CHECKING)
    events = AuditEvent
    names = bank.db.read(
        lambda tx: (
            tx.conn.execute(
                select(events.c.actor_name).where(
                    events.c.kind == "account.open", events.c.subject == f"account {account.id}"
                )
            )
            .scalars()
            .all()
        )
    )
    assert names == ["alice"]  # the audit records the database's name, not the claimed one


def test_a_disabled_users_open_session_is_refused_on_its_next_call(bank: Bank) -> None:
    admin = make_staff(bank, "boss", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 1_000)
    bank.staff.disable(admin, alice.user_id)
    with pytest.raises(SessionEnded):
        bank.accounts.get(alice, account)


def test_a_role_lowered_by_an_admin_takes_effect_on_the_next_call(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    ada = make_staff(bank, "ada", Role.ADMIN)
    bank.staff.change_role(boss, ada.user_id, "teller")
    with pytest.raises(SessionEnded):
        bank.staff.page(ada)
    again = session_for(bank, ada)
    with pytest.raises(PermissionDenied):  # a teller now, whatever the handle says
        bank.staff.page(Actor(again.user_id, "ada", Role.ADMIN, session=again.session))
    assert bank.customers.search(again, "ada").matches == ()


# -- signing in, step by step -----------------------------------------------------------------


def test_a_customer_with_a_temporary_password_can_only_change_it(bank: Bank) -> None:
    admin = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 5_000)
    request = bank.staff.reset_password(admin, alice.user_id)
    temporary = bank.approvals.approve(other, request.id).temporary_password
    forced = bank.auth.login("alice", temporary)
    assert forced.state == SessionState.MUST_CHANGE_PASSWORD
    entries = JournalEntry
    with pytest.raises(SignInIncomplete):
        bank.payments.transfer(forced.actor, account, "000000000000", 100)
    with pytest.raises(SignInIncomplete):
        bank.accounts.list_accounts(forced.actor)
    assert bank.db.read(lambda tx: tx.conn.execute(select(entries.c.id)).all()) != []
    done = bank.auth.change_password(forced.actor, temporary, NEW_PASSWORD, NEW_PASSWORD)
    assert done.signed_in
    assert [a.id for a in bank.accounts.list_accounts(done.actor)] == [account]


def test_staff_with_the_password_but_not_the_code_reach_nothing(bank: Bank) -> None:
    make_staff(bank, "tina", Role.TELLER)
    halfway = bank.auth.login("tina", PASSWORD)
    assert not halfway.signed_in
    with pytest.raises(SignInIncomplete):
        bank.drawers.open_drawer(halfway.actor, 1_000)
    with pytest.raises(SignInIncomplete):
        bank.customers.search(halfway.actor, "alice")


def test_a_password_change_ends_the_users_other_sessions_but_not_this_one(bank: Bank) -> None:
    make_customer(bank, "alice")
    here = bank.auth.login("alice", PASSWORD).actor
    elsewhere = bank.auth.login("alice", PASSWORD).actor
    done = bank.auth.change_password(here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert bank.accounts.list_accounts(done.actor) == []
    with pytest.raises(SessionEnded):
        bank.accounts.list_accounts(elsewhere)


def test_signing_out_ends_the_session(bank: Bank) -> None:
    make_customer(bank, "alice")
    actor = bank.auth.login("alice", PASSWORD).actor
    bank.auth.sign_out(actor)
    with pytest.raises(SessionEnded):
        bank.accounts.list_accounts(actor)
    assert audit_kinds(bank)[-1] == "logout"


# -- idle and absolute timeouts ---------------------------------------------------------------


def test_an_idle_session_is_locked_until_the_password_is_given_again(
    strict_bank: Bank, clock: FixedClock
) -> None:
    bank = strict_bank
    make_customer(bank, "alice")
    actor = bank.auth.login("alice", PASSWORD).actor
    clock.advance(timedelta(minutes=4))
    assert bank.accounts.list_accounts(actor) == []  # within the timeout; this call counts
    clock.advance(timedelta(minutes=4, seconds=59))
    assert bank.accounts.list_accounts(actor) == []
    clock.advance(SESSION_SETTINGS.session_idle_timeout + timedelta(seconds=1))
    with pytest.raises(SessionLocked):
        bank.accounts.list_accounts(actor)
    with pytest.raises(InvalidCredentials):
        bank.auth.unlock_session(actor, "not my password")
    with pytest.raises(SessionLocked):
        bank.accounts.list_accounts(actor)
    assert bank.auth.unlock_session(actor, PASSWORD).signed_in
    assert bank.accounts.list_accounts(actor) == []
    assert "session.unlock" in audit_kinds(bank)


def test_wrong_passwords_at_the_lock_screen_lock_the_user_and_end_the_session(
    strict_bank: Bank, clock: FixedClock
) -> None:
    bank = strict_bank
    make_customer(bank, "alice")
    actor = bank.auth.login("alice", PASSWORD).actor
    bank.auth.lock(actor)
    with pytest.raises(SessionLocked):
        bank.accounts.list_accounts(actor)
    with pytest.raises(AccountLocked):
        for _ in range(10):
            clock.advance(timedelta(seconds=30))  # past each throttle wait
            with pytest.raises(InvalidCredentials):
                bank.auth.unlock_session(actor, "not my password")
    with pytest.raises(SessionEnded):
        bank.auth.unlock_session(actor, PASSWORD)
    with pytest.raises(AccountLocked):
        bank.auth.login("alice", PASSWORD)


def test_a_session_ends_after_its_absolute_lifetime_however_busy(
    strict_bank: Bank, clock: FixedClock
) -> None:
    bank = strict_bank
    make_customer(bank, "alice")
    actor = bank.auth.login("alice", PASSWORD).actor
    for _ in range(int(SESSION_SETTINGS.session_max_age / timedelta(minutes=4))):
        clock.advance(timedelta(minutes=4))
        bank.accounts.list_accounts(actor)
    clock.advance(timedelta(minutes=4))
    with pytest.raises(SessionEnded):
        bank.accounts.list_accounts(actor)


def test_an_abandoned_sign_in_expires(strict_bank: Bank, clock: FixedClock) -> None:
    bank = strict_bank
    make_staff(bank, "tina", Role.TELLER)
    halfway = bank.auth.login("tina", PASSWORD)
    clock.advance(SESSION_SETTINGS.session_idle_timeout + timedelta(seconds=1))
    with pytest.raises(SessionEnded):
        bank.totp.begin_enrolment(halfway.actor)


# -- what a result may show -------------------------------------------------------------------


def test_a_transfer_to_another_customer_returns_the_senders_side_only(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    source = funded_account(bank, alice, 10_000)
    target = funded_account(bank, bob, 777_777)
    number = bank.accounts.get(bob, target).number
    result = bank.payments.transfer(alice, source, number, 1, idempotency_key="once")
    assert result.balances == {source: 9_999}
    replay = bank.payments.transfer(alice, source, number, 1, idempotency_key="once")
    assert replay.replayed and replay.balances == {source: 9_999}
    deposit = bank.payments.deposit(alice, source, 100)
    assert deposit.balances == {source: 10_099}  # not the bank's cash account


def test_a_refused_transfer_to_someone_elses_account_names_nothing_about_it(
    bank: Bank,
) -> None:
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob", full_name="Robert Secretname")
    teller = make_staff(bank, "tina", Role.TELLER)
    source = funded_account(bank, alice, 10_000)
    target = bank.accounts.open(bob, AccountKind.CHECKING, "Private savings")
    bank.accounts.freeze(teller, target.id)
    with pytest.raises(AccountNotOpen) as refused:
        bank.payments.transfer(alice, source, target.number, 100)
    text = refused.value.message
    assert text == "That account cannot receive money."
    assert "frozen" not in text and "Private" not in text and "Secretname" not in text
    # The payee confirmation deliberately shows initial and surname, never a balance.
    assert bank.accounts.find_destination(alice, target.number).startswith("R. Secretname")


def test_tellers_read_customers_profiles_but_not_admins(bank: Bank) -> None:
    admin = make_staff(bank, "boss", Role.ADMIN)
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    assert bank.auth.get_user(teller, alice.user_id).username == "alice"
    assert bank.auth.get_user(teller, teller.user_id).username == "tina"
    with pytest.raises(NotFound):
        bank.auth.get_user(teller, admin.user_id)
    assert bank.auth.get_user(admin, teller.user_id).role == Role.TELLER


# -- idempotency keys belong to their caller --------------------------------------------------


def test_another_users_idempotency_key_is_simply_a_different_key(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    a = funded_account(bank, alice, 10_000)
    b = funded_account(bank, bob, 10_000)
    first = bank.payments.withdraw(alice, a, 100, idempotency_key="shared-key")
    second = bank.payments.withdraw(bob, b, 250, idempotency_key="shared-key")
    assert not second.replayed and second.entry_id != first.entry_id
    assert bank.payments.withdraw(bob, b, 250, idempotency_key="shared-key").replayed


def test_a_caller_cannot_reach_the_banks_own_keys(bank: Bank) -> None:
    """Approvals post with the key `approval:<id>`; a caller sending that key gets their own
    namespace, and the approval still posts."""
    boss = make_staff(bank, "boss", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 100)
    bank.drawers.open_drawer(tina, 0)
    item = bank.approvals.submit(tina, "deposit", account, 2_000_000)
    bank.payments.withdraw(alice, account, 1, idempotency_key=f"approval:{item.id}")
    approved = bank.approvals.approve(boss, item.id)
    assert approved.status == "approved" and approved.entry_id is not None
    assert bank.accounts.get(alice, account).balance == 100 - 1 + 2_000_000


def test_an_overlong_or_unprintable_key_is_a_typed_error(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 1_000)
    for key in ("k" * 81, "bell\x07"):
        with pytest.raises(ValidationFailed):
            bank.payments.withdraw(alice, account, 1, idempotency_key=key)


# -- sign-in hardening ------------------------------------------------------------------------


def test_unknown_usernames_are_throttled_and_locked_exactly_like_known_ones(
    bank: Bank, clock: FixedClock
) -> None:
    make_customer(bank, "alice")
    make_customer(bank, "amy")

    def refusals(username: str, *, pause: timedelta) -> list[str]:
        seen = []
        for _ in range(bank.settings.lockout_after + 2):
            clock.advance(pause)
            try:
                bank.auth.login(username, "wrong wrong wrong wrong")
            except (InvalidCredentials, AccountLocked, LoginThrottled) as exc:
                seen.append(exc.code)
        return seen

    burst = refusals("alice", pause=timedelta(0))
    assert burst == refusals("nobody", pause=timedelta(0))
    assert burst.count("invalid_credentials") == bank.settings.throttle_after
    assert "login_throttled" in burst
    paced = refusals("amy", pause=timedelta(minutes=1))
    assert paced == refusals("ghost", pause=timedelta(minutes=1))
    assert paced.index("user_locked") == bank.settings.lockout_after - 1


def test_the_current_password_checked_by_a_change_counts_and_is_audited(
    bank: Bank, clock: FixedClock
) -> None:
    make_customer(bank, "alice")
    actor = bank.auth.login("alice", PASSWORD).actor
    with pytest.raises(AccountLocked):
        for _ in range(10):
            clock.advance(timedelta(seconds=30))
            with pytest.raises(ValidationFailed):
                bank.auth.change_password(actor, "not my password", NEW_PASSWORD, NEW_PASSWORD)
    assert "login.lockout" in audit_kinds(bank)
    with pytest.raises(SessionEnded):  # the lockout ended the session
        bank.accounts.list_accounts(actor)


def test_a_customer_sees_their_own_latest_sign_ins_and_failures(bank: Bank) -> None:
    make_customer(bank, "alice")
    make_customer(bank, "bob")
    with pytest.raises(InvalidCredentials):
        bank.auth.login("alice", "someone guessing here")
    bank.auth.login("bob", PASSWORD)
    alice = bank.auth.login("alice", PASSWORD).actor
    seen = bank.auth.sign_ins(alice)
    assert [(e.succeeded, e.method) for e in seen] == [
        (True, "password"),
        (False, "wrong password"),
    ]


def test_dates_too_far_ahead_and_huge_ids_are_typed_errors(bank: Bank) -> None:
    admin = make_staff(bank, "boss", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 1_000)
    with pytest.raises(ValidationFailed):
        StatementPeriod(date(9999, 12, 1), date(9999, 12, 31))
    with pytest.raises(ValidationFailed):
        bank.audit_log.page(admin, filters=AuditFilter(until=date(9999, 12, 31)))
    with pytest.raises(ValidationFailed):
        bank.reports.end_of_day(admin, date(9999, 12, 31))
    for huge in (2**63, 2**64, -1, 0):
        with pytest.raises(NotFound):
            bank.accounts.get(alice, huge)
        with pytest.raises(NotFound):
            bank.cards.get(alice, huge)
        with pytest.raises(NotFound):
            bank.approvals.get(admin, huge)
        with pytest.raises(NotFound):
            bank.statements.reprint(alice, huge)
    assert bank.accounts.get(alice, account).id == account
