"""Snapshots of cash at the counter: for a customer, in the drawer, in the day's report."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, open_alice, settle, sign_in_staff, snap, type_text


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


def test_end_of_day_report(snap_compare: Snap, demo_bank: Bank) -> None:
    """Today's drawers (one closed $5.00 short, one open) and totals per kind."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, "admin")
        await pilot.press("r")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
