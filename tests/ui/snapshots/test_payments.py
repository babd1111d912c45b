"""Snapshots of deposits, withdrawals and transfers: forms, refusals, confirmation, result."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Snap, settle, sign_in, snap, type_text


def test_deposit_form(snap_compare: Snap, demo_bank: Bank) -> None:
    """The deposit form: account picker with balances, amount, memo."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "100")

    assert snap(snap_compare, demo_bank, run)


def test_transfer_with_a_bad_amount_is_refused_in_place(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """'12.345' is refused beside the amount field by the service's parser; nothing moves."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "12.345")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_transfer_to_another_customer_asks_for_the_number(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Choosing 'Another account number' shows the number field; an unknown one is refused."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#destination").value = "other"
        await settle(pilot)
        await type_text(pilot, "1234 5678 9012")
        await pilot.press("tab")
        await type_text(pilot, "5")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_withdrawal_over_the_balance_shows_insufficient_funds(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Insufficient funds appears under the amount after confirming; the balance is unchanged."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("w")
        await settle(pilot)
        await type_text(pilot, "999,999")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_confirmation_modal_shows_exactly_what_will_happen(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The confirmation names the action, both accounts, the memo and the balances."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "250")
        await pilot.press("tab")
        await type_text(pilot, "Holiday fund")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_result_screen_shows_the_new_balances(snap_compare: Snap, demo_bank: Bank) -> None:
    """After a confirmed transfer between own accounts both new balances are shown."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "250")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
