"""Snapshots of the second factor: first-time enrolment, a wrong code, a customer opting in."""

from __future__ import annotations

from typing import Any

import pyotp
from textual.pilot import Pilot

from bankapp.bank import Bank
from bankapp.domain.types import Role
from bankapp.services.auth.second_factor import unix_step
from screens.staff.totp import SecondFactorSetupScreen
from tests.conftest import PASSWORD
from tests.ui.helpers import Snap, settle, sign_in, snap


def test_first_sign_in_shows_the_enrolment_qr_code(
    snap_compare: Snap, demo_bank: Bank, fixed_secrets: None
) -> None:
    """A new teller's first sign-in: QR code drawn in the terminal, the text key, a code box."""
    demo_bank.auth.create_user(
        None,
        username="newbie",
        password=PASSWORD,
        role=Role.TELLER,
        full_name="New Teller",
        email="newbie@bank.example",
        must_change_password=False,
    )

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "newbie", PASSWORD)

    assert snap(snap_compare, demo_bank, run)


def test_enrolment_ends_with_recovery_codes_shown_once(
    snap_compare: Snap, demo_bank: Bank, fixed_secrets: None
) -> None:
    """After the first good code the recovery codes are shown once, with a Continue button."""
    demo_bank.auth.create_user(
        None,
        username="newbie",
        password=PASSWORD,
        role=Role.TELLER,
        full_name="New Teller",
        email="newbie@bank.example",
        must_change_password=False,
    )

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "newbie", PASSWORD)
        code = pyotp.TOTP("NEWSTAFFTOTPKEYFORSNAPSHOTSAAAAA").generate_otp(
            unix_step(demo_bank.clock.now())
        )
        await pilot.press(*code, "enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_second_factor_refuses_a_wrong_code(snap_compare: Snap, demo_bank: Bank) -> None:
    """An enrolled teller types a wrong code: the message is beside the field."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "teller")
        await pilot.press(*"000000", "enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_a_customer_sets_up_two_step_sign_in(
    snap_compare: Snap, demo_bank: Bank, fixed_secrets: None
) -> None:
    """A customer's opt-in screen: QR code and key, then the code box."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        pilot.app.push_screen(SecondFactorSetupScreen())
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
