"""Staff administration: create, disable, role changes, password reset, unlock, 2FA reset."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Role
from bankapp.errors import (
    AccountLocked,
    InvalidCredentials,
    PermissionDenied,
    UserDisabled,
    ValidationFailed,
)
from bankapp.services.audit_log import AuditFilter
from tests.fixtures import PASSWORD, make_customer, make_staff, session_for

TEMP = "temporary passphrase 42"


def test_an_admin_creates_a_teller_who_must_change_the_password(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    teller = bank.staff.create(
        boss,
        username="newbie",
        full_name="New Teller",
        email="newbie@bank.example",
        role="teller",
        temporary_password=TEMP,
    )
    assert teller.role == Role.TELLER and teller.must_change_password
    result = bank.auth.login("newbie", TEMP)
    assert result.must_change_password
    changed = bank.auth.change_password(result.actor, TEMP, PASSWORD, PASSWORD)
    assert changed.totp_enrolment_required  # staff then enrol their second factor
    with pytest.raises(ValidationFailed):
        bank.staff.create(
            boss,
            username="cust",
            full_name="Not Staff",
            email="c@x.example",
            role="customer",
            temporary_password=TEMP,
        )


def test_only_admins_manage_staff(bank: Bank) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    for caller in (tina, alice):
        with pytest.raises(PermissionDenied):
            bank.staff.create(
                caller,
                username="xone",
                full_name="X One",
                email="x@b.example",
                role="teller",
                temporary_password=TEMP,
            )
        with pytest.raises(PermissionDenied):
            bank.staff.page(caller)


def test_promoting_a_teller_ends_their_old_session_and_grants_admin_calls(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    promoted = bank.staff.change_role(boss, tina.user_id, "admin")
    assert promoted.role == Role.ADMIN
    with pytest.raises(PermissionDenied):  # the session taken as teller is no longer valid
        bank.drawers.current(tina)
    as_admin = session_for(bank, tina)
    assert bank.staff.page(as_admin).users
    demoted = bank.staff.change_role(as_admin, boss.user_id, "teller")
    assert demoted.role == Role.TELLER
    with pytest.raises(PermissionDenied):
        bank.staff.page(boss)
    lines = bank.audit_log.page(as_admin, filters=AuditFilter(kind="user.role")).lines
    assert [line.subject for line in lines] == ["user boss", "user tina"]


def test_an_admin_cannot_change_their_own_role_or_make_a_customer_staff(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    alice = make_customer(bank, "alice")
    with pytest.raises(PermissionDenied):
        bank.staff.change_role(boss, boss.user_id, "teller")
    with pytest.raises(Exception) as refused:
        bank.staff.change_role(boss, alice.user_id, "teller")
    assert refused.value.__class__.__name__ == "UserNotFound"


def test_a_disabled_teller_cannot_sign_in_or_act(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    bank.staff.disable(boss, tina.user_id)
    with pytest.raises(UserDisabled):
        bank.auth.login("tina", PASSWORD)
    with pytest.raises(PermissionDenied):
        bank.drawers.open_drawer(tina, 100)
    bank.staff.enable(boss, tina.user_id)
    with pytest.raises(PermissionDenied):  # the disable ended the old session for good
        bank.drawers.open_drawer(tina, 100)
    assert bank.drawers.open_drawer(session_for(bank, tina), 100).status == "open"


def test_an_admin_unlocks_a_locked_teller_and_resets_the_password(
    bank: Bank, clock: FixedClock
) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    with pytest.raises(AccountLocked):
        for _ in range(10):
            clock.advance(timedelta(minutes=1))
            with pytest.raises(InvalidCredentials):
                bank.auth.login("tina", "wrong wrong wrong")
    bank.staff.unlock(boss, tina.user_id)
    assert bank.auth.login("tina", PASSWORD).totp_enrolment_required
    bank.staff.reset_password(boss, tina.user_id, TEMP)
    assert bank.auth.login("tina", TEMP).must_change_password
