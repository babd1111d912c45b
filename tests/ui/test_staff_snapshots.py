"""Snapshots of every staff screen (120x34, frozen clock, seeded demo, fixed secrets)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from bankapp.bank import Bank
from bankapp.domain.types import Role
from screens.app import make_app
from tests.conftest import PASSWORD
from tests.ui.helpers import SIZE, settle, sign_in, sign_in_staff, type_text

Snap = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


def snap(snap_compare: Snap, bank: Bank, run_before: RunBefore) -> bool:
    return snap_compare(make_app(bank), terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def fixed_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enrolment keys, recovery codes and temporary passwords are random; fix them here."""
    counter = iter(range(10_000))
    monkeypatch.setattr(
        "bankapp.services.auth.second_factor.pyotp.random_base32",
        lambda length=32: "NEWSTAFFTOTPKEYFORSNAPSHOTSAAAAA"[:length],
    )
    monkeypatch.setattr("secrets.token_hex", lambda n=3: f"{next(counter):0{2 * n}x}")


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
    import pyotp

    from bankapp.services.auth.second_factor import unix_step

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


def test_teller_home_shows_the_drawer_and_pending_requests(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The teller's menu, their open drawer's cash and their own pending requests."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "teller")

    assert snap(snap_compare, demo_bank, run)


def test_admin_home_lists_the_admin_tasks(snap_compare: Snap, demo_bank: Bank) -> None:
    """The supervisor's menu adds staff users and the audit log."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")

    assert snap(snap_compare, demo_bank, run)


def test_customer_search_by_part_of_a_name(snap_compare: Snap, demo_bank: Bank) -> None:
    """Search results with masked account numbers."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "teller")
        await pilot.press("f")
        await type_text(pilot, "ar")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


async def open_alice(pilot: Pilot[Any]) -> None:
    await sign_in_staff(pilot, "teller")
    await pilot.press("f")
    await type_text(pilot, "alice")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_customer_overview(snap_compare: Snap, demo_bank: Bank) -> None:
    """Profile, accounts, cards and recent activity of one customer."""
    assert snap(snap_compare, demo_bank, open_alice)


def test_cash_withdrawal_over_the_limit_goes_pending(snap_compare: Snap, demo_bank: Bank) -> None:
    """Over the approval threshold the withdrawal is a request; nothing moves."""

    async def run(pilot: Pilot[Any]) -> None:
        await open_alice(pilot)
        await pilot.press("w")
        await type_text(pilot, "10500")
        await pilot.press("enter")
        await type_text(pilot, "Car purchase")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_drawer_screen_with_an_open_drawer(snap_compare: Snap, demo_bank: Bank) -> None:
    """The open drawer's float and cash on hand, ready to be counted at close."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "teller")
        await pilot.press("d")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_closing_a_drawer_short_shows_expected_counted_and_difference(
    snap_compare: Snap,
    demo_bank: Bank,
) -> None:
    """Counted $10.00 less than expected: the difference is shown as short."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "teller")
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "1565.00")  # 1,500.00 float + 75.00 in, less 10.00
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_approvals_queue_for_an_admin(snap_compare: Snap, demo_bank: Bank) -> None:
    """The pending request the teller made, with maker and memo."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("a")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_rejecting_asks_for_a_reason(snap_compare: Snap, demo_bank: Bank) -> None:
    """R on a request opens the reason prompt."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "No proof of sale")

    assert snap(snap_compare, demo_bank, run)


def test_staff_users(snap_compare: Snap, demo_bank: Bank) -> None:
    """Tellers and admins with role, status and second-factor state."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_new_staff_user_form(snap_compare: Snap, demo_bank: Bank, fixed_secrets: None) -> None:
    """The new staff form with a generated temporary password."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_end_of_day_report(snap_compare: Snap, demo_bank: Bank) -> None:
    """Today's drawers (one closed $5.00 short, one open) and totals per kind."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("r")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_audit_log_filtered_by_kind(snap_compare: Snap, demo_bank: Bank) -> None:
    """Only drawer events, newest first."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("l")
        await settle(pilot)
        await pilot.click("#audit-kind")
        await type_text(pilot, "drawer.")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_new_customer_form(snap_compare: Snap, demo_bank: Bank, fixed_secrets: None) -> None:
    """A teller registers a customer; the temporary password must be changed at sign-in."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "teller")
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "dora")

    assert snap(snap_compare, demo_bank, run)


def test_transfer_on_the_customers_behalf_to_an_unknown_account(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """A transfer form with a destination that does not exist: the error is beside it."""

    async def run(pilot: Pilot[Any]) -> None:
        await open_alice(pilot)
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "1234567890")
        await pilot.press("enter")
        await type_text(pilot, "25")
        await pilot.press("enter", "enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_a_customer_sets_up_two_step_sign_in(
    snap_compare: Snap, demo_bank: Bank, fixed_secrets: None
) -> None:
    """A customer's opt-in screen: QR code and key, then the code box."""
    from screens.staff.totp import SecondFactorSetupScreen

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        pilot.app.push_screen(SecondFactorSetupScreen())
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
