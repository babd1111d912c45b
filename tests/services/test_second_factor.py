"""Staff sign-in with a TOTP second factor: enrolment, drift, replay, recovery codes, lockout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.clock import Clock, FixedClock
from bankapp.domain.types import LoginResult, Role, SessionState
from bankapp.errors import AccountLocked, InvalidSecondFactor, PermissionDenied, SessionError
from bankapp.services.auth.second_factor import qr_lines, unix_step
from bankapp.storage.models import SignInThrottle, User
from tests.fixtures import PASSWORD, make_customer, make_staff


def code_at(secret: str, clock: Clock, steps: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(unix_step(clock.now()) + steps)


def enrol(bank: Bank, username: str) -> tuple[str, LoginResult]:
    """Sign in for the first time: password, enrolment, first code. Returns the secret."""
    first = bank.auth.login(username, PASSWORD)
    assert first.state == SessionState.MUST_ENROL_SECOND_FACTOR
    enrolment = bank.totp.begin_enrolment(first.actor)
    done = bank.totp.confirm_enrolment(first.actor, code_at(enrolment.secret, bank.clock))
    return enrolment.secret, done


def stored_user(bank: Bank, username: str) -> Any:
    table = User
    return bank.db.read(
        lambda tx: tx.conn.execute(select(table).where(table.c.username == username)).one()
    )


def lock_of(bank: Bank, username: str) -> Any:
    table = SignInThrottle
    return bank.db.read(
        lambda tx: tx.conn.execute(
            select(table.c.locked_until).where(table.c.name == username)
        ).scalar_one_or_none()
    )


def test_staff_must_enrol_at_first_sign_in_and_get_recovery_codes_once(bank: Bank) -> None:
    make_staff(bank, "tina", Role.TELLER)
    first = bank.auth.login("tina", PASSWORD)
    assert first.totp_enrolment_required and not first.signed_in
    enrolment = bank.totp.begin_enrolment(first.actor)
    assert enrolment.uri.startswith("otpauth://totp/") and "tina" in enrolment.uri
    assert len(enrolment.qr_lines) > 10 and all(
        len(line) == len(enrolment.qr_lines[0]) for line in enrolment.qr_lines
    )
    with pytest.raises(InvalidSecondFactor):
        bank.totp.confirm_enrolment(first.actor, "000000")
    with pytest.raises(SessionError):  # still enrolling: nothing else works
        bank.accounts.list_accounts(first.actor)
    done = bank.totp.confirm_enrolment(first.actor, code_at(enrolment.secret, bank.clock))
    assert done.signed_in and done.actor.username == "tina"
    assert len(done.recovery_codes) == 8 and len(set(done.recovery_codes)) == 8
    row = stored_user(bank, "tina")
    assert row.totp_enabled
    # Neither the secret nor any recovery code is stored readable.
    assert enrolment.secret not in row.totp_secret_enc
    assert all(code not in (row.recovery_codes or "") for code in done.recovery_codes)
    # The enrolment step is spent.
    with pytest.raises(PermissionDenied):
        bank.totp.confirm_enrolment(done.actor, "123456")


def test_a_code_is_accepted_with_one_step_of_drift_but_not_two(
    bank: Bank, clock: FixedClock
) -> None:
    make_staff(bank, "tina", Role.TELLER)
    secret, _ = enrol(bank, "tina")
    clock.advance(timedelta(minutes=5))
    for steps, accepted in ((-2, False), (2, False), (-1, True)):
        clock.advance(timedelta(seconds=10))  # past the throttle's wait
        attempt = bank.auth.login("tina", PASSWORD)
        assert attempt.second_factor_required
        if accepted:
            done = bank.auth.complete_second_factor(attempt.actor, code_at(secret, clock, steps))
            assert done.signed_in and done.actor.username == "tina"
        else:
            with pytest.raises(InvalidSecondFactor):
                bank.auth.complete_second_factor(attempt.actor, code_at(secret, clock, steps))
    attempt = bank.auth.login("tina", PASSWORD)
    assert bank.auth.complete_second_factor(attempt.actor, code_at(secret, clock, +1)).signed_in


def test_an_accepted_code_cannot_be_used_again(bank: Bank, clock: FixedClock) -> None:
    make_staff(bank, "tina", Role.TELLER)
    secret, _ = enrol(bank, "tina")
    clock.advance(timedelta(minutes=1))
    code = code_at(secret, clock)
    bank.auth.complete_second_factor(bank.auth.login("tina", PASSWORD).actor, code)
    replay = bank.auth.login("tina", PASSWORD)
    with pytest.raises(InvalidSecondFactor):
        bank.auth.complete_second_factor(replay.actor, code)
    # An older step than the last accepted one is refused too.
    with pytest.raises(InvalidSecondFactor):
        bank.auth.complete_second_factor(replay.actor, code_at(secret, clock, -1))


def test_a_recovery_code_works_once_and_the_sign_in_says_how(bank: Bank) -> None:
    make_staff(bank, "tina", Role.TELLER)
    _, done = enrol(bank, "tina")
    spare = done.recovery_codes[3]
    ok = bank.auth.complete_second_factor(bank.auth.login("tina", PASSWORD).actor, spare.upper())
    assert ok.signed_in and ok.actor.username == "tina"
    assert bank.totp.remaining_recovery_codes(ok.actor) == 7
    assert bank.auth.sign_ins(ok.actor)[0].method == "recovery code"
    with pytest.raises(InvalidSecondFactor):
        bank.auth.complete_second_factor(bank.auth.login("tina", PASSWORD).actor, spare)


def test_codes_in_other_scripts_are_a_wrong_code_not_an_incident(bank: Bank) -> None:
    """Arabic-Indic or full-width digits look like a code but are not one."""
    make_staff(bank, "tina", Role.TELLER)
    enrol(bank, "tina")
    for code in ("١٢٣٤٥٦", "１２３４５６", "1" * 5000, "\x00" * 6):
        bank.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
        attempt = bank.auth.login("tina", PASSWORD)
        with pytest.raises(InvalidSecondFactor):
            bank.auth.complete_second_factor(attempt.actor, code)


def test_wrong_codes_count_towards_the_lockout(bank: Bank, clock: FixedClock) -> None:
    """The password alone does not reset the count: knowing it buys no extra guesses."""
    make_staff(bank, "tina", Role.TELLER)
    enrol(bank, "tina")
    with pytest.raises(AccountLocked):
        for _ in range(10):
            clock.advance(timedelta(minutes=2))  # past the throttle delay each time
            attempt = bank.auth.login("tina", PASSWORD)
            with pytest.raises(InvalidSecondFactor):
                bank.auth.complete_second_factor(attempt.actor, "999999")
    assert lock_of(bank, "tina") is not None


def test_a_second_factor_secret_does_not_decrypt_in_another_users_row(bank: Bank) -> None:
    make_staff(bank, "tina", Role.TELLER)
    make_staff(bank, "ted", Role.TELLER)
    secret, _ = enrol(bank, "tina")
    enrol(bank, "ted")
    table = User
    sealed = stored_user(bank, "tina").totp_secret_enc
    bank.db.write(
        lambda tx: tx.conn.execute(
            table.update().where(table.c.username == "ted").values(totp_secret_enc=sealed)
        )
    )
    attempt = bank.auth.login("ted", PASSWORD)
    with pytest.raises(InvalidSecondFactor):
        bank.auth.complete_second_factor(attempt.actor, code_at(secret, bank.clock, 1))


def test_an_enrolled_user_cannot_re_enrol_with_only_a_password(bank: Bank) -> None:
    make_staff(bank, "tina", Role.TELLER)
    enrol(bank, "tina")
    attempt = bank.auth.login("tina", PASSWORD)
    assert attempt.second_factor_required and not attempt.totp_enrolment_required
    with pytest.raises(SessionError):
        bank.totp.begin_enrolment(attempt.actor)


def test_customers_sign_in_with_a_password_until_they_opt_in(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    plain = bank.auth.login("alice", PASSWORD)
    assert plain.signed_in and not plain.second_factor_required
    enrolment = bank.totp.begin_enrolment(alice)
    codes = bank.totp.confirm_enrolment(alice, code_at(enrolment.secret, clock)).recovery_codes
    assert len(codes) == 8
    clock.advance(timedelta(minutes=1))
    now_two_step = bank.auth.login("alice", PASSWORD)
    assert now_two_step.second_factor_required and not now_two_step.totp_enrolment_required
    assert bank.auth.complete_second_factor(
        now_two_step.actor, code_at(enrolment.secret, clock)
    ).signed_in


def test_an_admin_resets_a_lost_second_factor_and_the_user_enrols_again(bank: Bank) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    boss = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    _, signed_in = enrol(bank, "tina")
    with pytest.raises(PermissionDenied):
        bank.staff.reset_second_factor(tina, boss.user_id)
    with pytest.raises(PermissionDenied):
        bank.staff.reset_second_factor(boss, boss.user_id)
    request = bank.staff.reset_second_factor(boss, tina.user_id)
    bank.approvals.approve(other, request.id)
    with pytest.raises(SessionError):  # the reset ends the user's sessions
        bank.accounts.list_accounts(signed_in.actor)
    assert bank.auth.login("tina", PASSWORD).totp_enrolment_required


def test_the_qr_code_has_a_light_quiet_zone() -> None:
    lines = qr_lines("otpauth://totp/bank:tina?secret=ABC")
    assert set(lines[0]) == {"█"} and all(line.startswith("██") for line in lines[1:])
