"""Registration, sign-in, throttling and lockout, password changes and profiles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.passwords import HashParameters
from bankapp.domain.types import Role
from bankapp.errors import (
    AccountLocked,
    InvalidCredentials,
    LoginThrottled,
    PasswordRejected,
    PermissionDenied,
    UserDisabled,
    UsernameTaken,
    ValidationFailed,
)
from bankapp.settings import Settings
from bankapp.storage.models import AuditEvent, User
from tests.fixtures import PASSWORD, TEST_SETTINGS, audit_kinds, make_customer, make_staff


def register(bank: Bank, username: str = "dana", **overrides: str) -> None:
    fields = dict(
        username=username,
        password="purple otter sings at dawn",
        password_confirm="purple otter sings at dawn",
        full_name="Dana Scully",
        email="dana@example.com",
        phone="+1 555 0199",
        address="1 Main St",
    )
    fields.update(overrides)
    bank.auth.register(**fields)


def test_a_registered_customer_can_sign_in(bank: Bank) -> None:
    register(bank)
    result = bank.auth.login("Dana", "purple otter sings at dawn")
    assert result.actor.role == Role.CUSTOMER
    assert result.user.full_name == "Dana Scully"
    assert audit_kinds(bank)[-1] == "login.success"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "x"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "Evil\u202eName"}, "full_name"),
        ({"phone": "call me"}, "phone"),
        ({"password_confirm": "something else entirely"}, "password_confirm"),
    ],
)
def test_registration_errors_name_the_field_and_create_nothing(
    bank: Bank, overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        register(bank, **overrides)
    assert caught.value.field == field
    assert bank.db.read(lambda tx: tx.conn.execute(select(User.c.id)).all()) == []


def test_weak_passwords_are_refused_at_registration(bank: Bank) -> None:
    with pytest.raises(PasswordRejected) as caught:
        register(bank, password="dana-password-1234", password_confirm="dana-password-1234")
    assert any("username" in p for p in caught.value.problems)


def test_usernames_are_unique_regardless_of_case(bank: Bank) -> None:
    register(bank)
    with pytest.raises(UsernameTaken):
        register(bank, username="DANA")


def test_wrong_password_and_unknown_user_get_the_same_message(bank: Bank) -> None:
    register(bank)
    with pytest.raises(InvalidCredentials) as wrong:
        bank.auth.login("dana", "not the password at all")
    with pytest.raises(InvalidCredentials) as unknown:
        bank.auth.login("nobody", "not the password at all")
    assert wrong.value.message == unknown.value.message == "Username or password is incorrect."


def test_failures_throttle_then_lock_and_survive_a_restart(
    bank: Bank, clock: FixedClock, database_url: str
) -> None:
    register(bank)
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            bank.auth.login("dana", "wrong wrong wrong wrong")
    with pytest.raises(LoginThrottled) as throttled:
        bank.auth.login("dana", "purple otter sings at dawn")  # even the right one must wait
    assert throttled.value.retry_after_seconds >= 1
    clock.advance(timedelta(seconds=3))
    with pytest.raises(InvalidCredentials):
        bank.auth.login("dana", "wrong wrong wrong wrong")
    clock.advance(timedelta(seconds=5))
    with pytest.raises(AccountLocked) as locked:
        bank.auth.login("dana", "wrong wrong wrong wrong")
    assert locked.value.until == clock.now() + TEST_SETTINGS.lockout_period
    # A new process (new Bank on the same database) still sees the lock.
    restarted = open_bank(database_url, clock=clock, settings=TEST_SETTINGS)
    try:
        with pytest.raises(AccountLocked):
            restarted.auth.login("dana", "purple otter sings at dawn")
        clock.advance(TEST_SETTINGS.lockout_period + timedelta(seconds=1))
        assert restarted.auth.login("dana", "purple otter sings at dawn").actor.username == "dana"
    finally:
        restarted.close()
    assert "login.lockout" in audit_kinds(bank)


def test_an_admin_unlocks_a_locked_user_and_a_customer_cannot(
    bank: Bank, clock: FixedClock
) -> None:
    register(bank)
    admin = make_staff(bank, "root", Role.ADMIN)
    customer = make_customer(bank, "eve")
    for _ in range(TEST_SETTINGS.lockout_after):
        clock.advance(timedelta(minutes=1))  # past each throttle wait
        with pytest.raises((InvalidCredentials, AccountLocked)):
            bank.auth.login("dana", "wrong wrong wrong wrong")
    with pytest.raises(AccountLocked):
        bank.auth.login("dana", "purple otter sings at dawn")
    dana = bank.db.read(
        lambda tx: tx.conn.execute(select(User.c.id).where(User.c.username == "dana")).scalar_one()
    )
    with pytest.raises(PermissionDenied):
        bank.staff.unlock(customer, dana)
    with pytest.raises(PermissionDenied):  # a supervisor's decision, not a teller's
        bank.staff.unlock(make_staff(bank, "tina", Role.TELLER), dana)
    bank.staff.unlock(admin, dana)  # a customer's lock: lifted at once
    assert bank.auth.login("dana", "purple otter sings at dawn").actor.username == "dana"


def test_disabled_users_cannot_sign_in_and_their_sessions_stop_working(bank: Bank) -> None:
    admin = make_staff(bank, "root", Role.ADMIN)
    alice = make_customer(bank, "alice")
    bank.staff.disable(admin, alice.user_id)
    with pytest.raises(UserDisabled):
        bank.auth.login("alice", PASSWORD)
    with pytest.raises(PermissionDenied):
        bank.accounts.list_accounts(alice)


def test_login_rehashes_when_the_cost_parameters_rise(database_url: str, clock: FixedClock) -> None:
    weak = open_bank(database_url, clock=clock, settings=TEST_SETTINGS)
    make_customer(weak, "alice")
    weak.close()
    stronger = Settings(
        hash_parameters=HashParameters(memory_kib=24 * 1024, time_cost=2, parallelism=1)
    )
    bank = open_bank(database_url, clock=clock, settings=stronger)
    try:
        bank.auth.login("alice", PASSWORD)
        digest = bank.db.read(lambda tx: tx.conn.execute(select(User.c.password_hash)).scalar_one())
        assert "m=24576" in digest
        assert bank.auth.login("alice", PASSWORD).actor.username == "alice"
    finally:
        bank.close()


def test_password_change_needs_the_old_password_and_follows_the_rules(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    with pytest.raises(ValidationFailed) as wrong_old:
        bank.auth.change_password(
            alice, "not my password", "brand new passphrase here", "brand new passphrase here"
        )
    assert wrong_old.value.field == "old_password"
    with pytest.raises(PasswordRejected):
        bank.auth.change_password(alice, PASSWORD, "short", "short")
    bank.auth.change_password(
        alice, PASSWORD, "brand new passphrase here", "brand new passphrase here"
    )
    with pytest.raises(InvalidCredentials):
        bank.auth.login("alice", PASSWORD)
    assert bank.auth.login("alice", "brand new passphrase here").actor.username == "alice"


def test_a_customer_created_at_the_counter_must_change_the_first_password(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    bank.auth.create_user(
        teller,
        username="cust1",
        password="customer passphrase 1",
        full_name="Cust One",
        email="c@example.com",
    )
    result = bank.auth.login("cust1", "customer passphrase 1")
    assert result.must_change_password and result.user.role == Role.CUSTOMER


def test_profile_edits_are_validated_and_audited(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    view = bank.auth.update_profile(
        alice,
        full_name="Alice [bold]Markup[/]",
        email="alice@new.example",
        phone="+44 20 7946 0000",
    )
    assert view.full_name == "Alice [bold]Markup[/]"
    with pytest.raises(ValidationFailed) as caught:
        bank.auth.update_profile(alice, full_name="Alice", email="broken")
    assert caught.value.field == "email"
    assert audit_kinds(bank).count("user.profile") == 1


def test_a_failed_sign_in_as_an_unknown_user_does_not_store_what_was_typed(bank: Bank) -> None:
    """People type their password into the username box; the audit must not keep it."""
    with pytest.raises(InvalidCredentials):
        bank.auth.login("correcthorsebatterystaple", "whatever it was")
    table = AuditEvent
    rows = bank.db.read(
        lambda tx: tx.conn.execute(
            select(table.c.actor_name, table.c.subject, table.c.details)
        ).all()
    )
    assert rows and all("correcthorse" not in " ".join(map(str, row)) for row in rows)
    assert rows[-1].subject == "unknown user co…(25)"
