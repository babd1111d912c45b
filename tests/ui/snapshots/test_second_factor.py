"""Snapshots of the second factor: first-time enrolment, a wrong code, a customer opting in."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from textual.pilot import Pilot

from bankapp.bank import Bank
from bankapp.domain.types import Role
from bankapp.services.auth.second_factor import unix_step
from screens.staff.totp import SecondFactorSetupScreen
from tests.fixtures import PASSWORD, make_user
from tests.ui.helpers import Do, Keys, SignIn, Snap, snap, steps

CUSTOMER_OPTS_IN = steps(
    SignIn("alice"), Do(lambda pilot: pilot.app.push_screen(SecondFactorSetupScreen()))
)


@pytest.fixture
def new_teller(demo_bank: Bank, fixed_secrets: None) -> None:
    """A teller who has never signed in, so has no second factor yet (fixed enrolment key)."""
    make_user(demo_bank, "newbie", Role.TELLER, full_name="New Teller", email="newbie@bank.example")


@pytest.mark.usefixtures("new_teller")
def test_first_sign_in_shows_the_enrolment_qr_code(snap_compare: Snap, demo_bank: Bank) -> None:
    """A new teller's first sign-in: QR code drawn in the terminal, the text key, a code box."""
    assert snap(snap_compare, demo_bank, SignIn("newbie", PASSWORD))


@pytest.mark.usefixtures("new_teller")
def test_enrolment_ends_with_recovery_codes_shown_once(snap_compare: Snap, demo_bank: Bank) -> None:
    """After the first good code the recovery codes are shown once, with a Continue button."""

    async def type_the_first_code(pilot: Pilot[Any]) -> None:
        now = unix_step(demo_bank.clock.now())
        code = pyotp.TOTP("NEWSTAFFTOTPKEYFORSNAPSHOTSAAAAA").generate_otp(now)
        await Keys(*code, "enter")(pilot)

    assert snap(snap_compare, demo_bank, steps(SignIn("newbie", PASSWORD), type_the_first_code))


def test_second_factor_refuses_a_wrong_code(snap_compare: Snap, demo_bank: Bank) -> None:
    """An enrolled teller types a wrong code: the message is beside the field."""
    assert snap(snap_compare, demo_bank, steps(SignIn("teller"), Keys(*"000000", "enter")))


@pytest.mark.usefixtures("fixed_secrets")
def test_a_customer_sets_up_two_step_sign_in(snap_compare: Snap, demo_bank: Bank) -> None:
    """A customer's opt-in screen: QR code and key, then the code box."""
    assert snap(snap_compare, demo_bank, CUSTOMER_OPTS_IN)


@pytest.mark.usefixtures("fixed_secrets")
def test_a_customer_sets_up_two_step_sign_in_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    assert snap(snap_compare, demo_bank, CUSTOMER_OPTS_IN, size=(80, 24))


@pytest.mark.usefixtures("new_teller")
def test_enrolment_qr_code_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """At 80x24 the enrolment still shows the whole text key and the code box (the QR code
    scrolls)."""
    assert snap(snap_compare, demo_bank, SignIn("newbie", PASSWORD), size=(80, 24))
