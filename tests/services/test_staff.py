"""User administration with four eyes: what widens someone's access (a new staff user, a
raised role, enabling a staff user again, a password or second-factor reset, unlocking a staff
user) is a request another admin approves; disabling and lowering a role happen at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Role, UserView
from bankapp.errors import (
    AccountLocked,
    ApprovalState,
    InvalidCredentials,
    PermissionDenied,
    UserDisabled,
    ValidationFailed,
)
from bankapp.services.approvals import ApprovalView
from bankapp.services.audit_log import AuditFilter
from tests.fixtures import PASSWORD, audit_kinds, make_customer, make_staff, session_for


def test_a_new_teller_is_a_request_and_the_approver_gets_the_password(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    request = bank.staff.create(
        boss, username="newbie", full_name="New Teller", email="newbie@bank.example", role="teller"
    )
    assert request.status == "pending" and request.target_user == "newbie"
    assert not request.temporary_password
    with pytest.raises(InvalidCredentials):
        bank.auth.login("newbie", "anything at all here")  # nobody exists yet
    with pytest.raises(ApprovalState, match="You made this request"):
        bank.approvals.approve(boss, request.id)
    approved = bank.approvals.approve(other, request.id)
    password = approved.temporary_password
    assert len(password) >= 15 and approved.target_user_id is not None
    assert not bank.approvals.get(other, request.id).temporary_password  # shown once
    result = bank.auth.login("newbie", password)
    assert result.must_change_password and result.user.role == Role.TELLER
    changed = bank.auth.change_password(result.actor, password, PASSWORD, PASSWORD)
    assert changed.totp_enrolment_required  # staff then enrol their second factor
    with pytest.raises(ValidationFailed):
        bank.staff.create(
            boss, username="cust", full_name="Not Staff", email="c@x.example", role="customer"
        )
    with pytest.raises(ValidationFailed, match="taken"):
        bank.staff.create(
            boss, username="newbie", full_name="Again", email="a@x.example", role="teller"
        )


def test_only_admins_manage_staff(bank: Bank) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    for caller in (tina, alice):
        with pytest.raises(PermissionDenied):
            bank.staff.create(
                caller, username="xone", full_name="X One", email="x@b.example", role="teller"
            )
        with pytest.raises(PermissionDenied):
            bank.staff.page(caller)
        with pytest.raises(PermissionDenied):
            bank.staff.reset_password(caller, tina.user_id if caller is alice else alice.user_id)


def test_raising_a_role_waits_and_lowering_one_is_immediate(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    request = bank.staff.change_role(boss, tina.user_id, "admin")
    assert isinstance(request, ApprovalView) and request.target_user == "tina"
    assert bank.drawers.current(tina) is None  # still a teller, session intact
    bank.approvals.approve(other, request.id)
    with pytest.raises(PermissionDenied):  # the session taken as teller is no longer valid
        bank.drawers.current(tina)
    as_admin = session_for(bank, tina)
    assert bank.staff.page(as_admin).users
    demoted = bank.staff.change_role(as_admin, other.user_id, "teller")
    assert isinstance(demoted, UserView) and demoted.role == Role.TELLER
    with pytest.raises(PermissionDenied):
        bank.staff.page(other)
    lines = bank.audit_log.page(as_admin, filters=AuditFilter(kind="user.role")).lines
    assert [line.subject for line in lines] == ["user otto", "user tina"]


def test_an_admin_cannot_change_their_own_access_or_make_a_customer_staff(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    alice = make_customer(bank, "alice")
    for attempt in (
        lambda: bank.staff.change_role(boss, boss.user_id, "teller"),
        lambda: bank.staff.reset_password(boss, boss.user_id),
        lambda: bank.staff.reset_second_factor(boss, boss.user_id),
        lambda: bank.staff.disable(boss, boss.user_id),
    ):
        with pytest.raises(PermissionDenied, match="Another supervisor"):
            attempt()
    with pytest.raises(Exception) as refused:
        bank.staff.change_role(boss, alice.user_id, "admin")
    assert refused.value.__class__.__name__ == "UserNotFound"


def test_a_disabled_teller_is_enabled_again_only_by_request(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    bank.staff.disable(boss, tina.user_id)
    with pytest.raises(UserDisabled):
        bank.auth.login("tina", PASSWORD)
    with pytest.raises(PermissionDenied):
        bank.drawers.open_drawer(tina, 100)
    request = bank.staff.enable(boss, tina.user_id)
    assert isinstance(request, ApprovalView)
    with pytest.raises(UserDisabled):
        bank.auth.login("tina", PASSWORD)
    bank.approvals.approve(other, request.id)
    with pytest.raises(PermissionDenied):  # the disable ended the old session for good
        bank.drawers.open_drawer(tina, 100)
    assert bank.drawers.open_drawer(session_for(bank, tina), 100).status == "open"
    # A customer is enabled again at once.
    alice = make_customer(bank, "alice")
    bank.staff.disable(boss, alice.user_id)
    assert isinstance(bank.staff.enable(boss, alice.user_id), UserView)


def test_unlocking_a_teller_and_resetting_a_password_wait_for_another_admin(
    bank: Bank, clock: FixedClock
) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    with pytest.raises(AccountLocked):
        for _ in range(10):
            clock.advance(timedelta(minutes=1))
            with pytest.raises(InvalidCredentials):
                bank.auth.login("tina", "wrong wrong wrong")
    unlock = bank.staff.unlock(boss, tina.user_id)
    assert isinstance(unlock, ApprovalView)
    with pytest.raises(AccountLocked):
        bank.auth.login("tina", PASSWORD)
    bank.approvals.approve(other, unlock.id)
    assert bank.auth.login("tina", PASSWORD).totp_enrolment_required
    reset = bank.staff.reset_password(boss, tina.user_id)
    assert bank.auth.login("tina", PASSWORD).totp_enrolment_required  # unchanged until approved
    password = bank.approvals.approve(other, reset.id).temporary_password
    with pytest.raises(InvalidCredentials):
        bank.auth.login("tina", PASSWORD)
    assert bank.auth.login("tina", password).must_change_password


def test_an_admin_cannot_take_over_a_customer_by_resetting_the_password(bank: Bank) -> None:
    """The attack: an admin reset a customer's password, signed in as the customer and moved
    the money. Now the reset is a request; its maker never learns the password; the one who
    approved it hands it over; and the customer is told at sign-in who reset it and when."""
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    alice = make_customer(bank, "alice", "Alice Martin")
    request = bank.staff.reset_password(boss, alice.user_id)
    assert not request.temporary_password
    assert bank.auth.login("alice", PASSWORD).signed_in  # nothing changed yet
    with pytest.raises(ApprovalState):
        bank.approvals.approve(boss, request.id)
    with pytest.raises(PermissionDenied):
        bank.approvals.approve(make_staff(bank, "tina", Role.TELLER), request.id)
    password = bank.approvals.approve(other, request.id).temporary_password
    with pytest.raises(PermissionDenied):  # alice's open session ended with the reset
        bank.accounts.list_accounts(alice)
    result = bank.auth.login("alice", password)
    assert result.must_change_password
    assert result.password_reset is not None
    assert result.password_reset.by == "Otto Staff (admin)"
    assert result.password_reset.at == bank.clock.now()
    done = bank.auth.change_password(result.actor, password, PASSWORD + "!", PASSWORD + "!")
    assert done.signed_in and done.password_reset is None
    assert "user.password_reset" in audit_kinds(bank)


def test_a_second_factor_reset_waits_for_another_admin(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    request = bank.staff.reset_second_factor(boss, tina.user_id)
    assert bank.drawers.current(tina) is None  # the session lives until the reset happens
    bank.approvals.approve(other, request.id)
    with pytest.raises(PermissionDenied):
        bank.drawers.current(tina)
    assert bank.auth.login("tina", PASSWORD).totp_enrolment_required


def test_whoever_set_up_an_admin_cannot_approve_that_admins_requests(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    third = make_staff(bank, "thea", Role.ADMIN)
    tina = make_staff(bank, "tina", Role.TELLER)
    bank.approvals.approve(other, bank.staff.change_role(boss, tina.user_id, "admin").id)
    promoted = session_for(bank, tina)  # tina's access was last changed by boss
    request = bank.staff.reset_password(promoted, make_customer(bank, "alice").user_id)
    with pytest.raises(ApprovalState, match="You set up the maker"):
        bank.approvals.approve(boss, request.id)
    bank.approvals.approve(third, request.id)
