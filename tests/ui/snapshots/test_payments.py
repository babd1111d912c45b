"""Snapshots of deposits, withdrawals and transfers: forms, refusals, confirmation, result."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import TAB, Do, SignIn, Snap, Type, snap, steps


def test_deposit_form(snap_compare: Snap, demo_bank: Bank) -> None:
    """The deposit form: account picker with balances, amount, memo."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "d", Type("100")))


def test_transfer_with_a_bad_amount_is_refused_in_place(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """'12.345' is refused beside the amount field by the service's parser; nothing moves."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "t", Type("12.345"), "ctrl+s"))


def test_transfer_to_another_customer_asks_for_the_number(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Choosing 'Another account number' shows the number field; an unknown one is refused."""

    def choose_another_account(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one("#destination").value = "other"

    script = steps(
        SignIn("alice"),
        "t",
        Do(choose_another_account),
        Type("1234 5678 9012"),
        TAB,
        Type("5"),
        "ctrl+s",
    )
    assert snap(snap_compare, demo_bank, script)


def test_a_transfer_over_the_available_balance_is_refused_before_confirming(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """To her own savings (no daily limit): more than is available is refused under the
    amount, with what is available, before any confirmation; nothing moves."""
    script = steps(SignIn("alice"), "t", Type("999,999"), "ctrl+s")
    assert snap(snap_compare, demo_bank, script)


def test_an_atm_withdrawal_over_the_daily_limit_says_what_is_left(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The demo's ATM use today counts: over the limit, the limit and what is left."""
    script = steps(SignIn("alice"), "w", Type("999.99"), "ctrl+s")
    assert snap(snap_compare, demo_bank, script)


def test_confirmation_modal_shows_exactly_what_will_happen(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The confirmation names the action, both accounts, the memo and the balances."""
    script = steps(SignIn("alice"), "t", Type("250"), TAB, Type("Holiday fund"), "ctrl+s")
    assert snap(snap_compare, demo_bank, script)


def test_result_screen_shows_the_new_balances(snap_compare: Snap, demo_bank: Bank) -> None:
    """After a confirmed transfer between own accounts both new balances are shown."""
    script = steps(SignIn("alice"), "t", Type("250"), "ctrl+s", "enter")
    assert snap(snap_compare, demo_bank, script)


def test_a_check_over_the_daily_limit_says_what_is_left_today(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The demo's salary check today used part of alice's check limit: a $4,999 check is
    refused beside the amount with the limit and what is left."""
    script = steps(SignIn("alice"), "d", Type("4999"), "ctrl+s")
    assert snap(snap_compare, demo_bank, script)


@pytest.mark.parametrize("size", [(120, 34), (80, 24)], ids=["120x34", "80x24"])
def test_escape_on_a_half_filled_transfer_asks_before_losing_it(
    snap_compare: Snap, demo_bank: Bank, size: tuple[int, int]
) -> None:
    """The question keeps the form by default (Keep editing has the focus)."""
    script = steps(SignIn("alice"), "t", Type("250"), "escape")
    assert snap(snap_compare, demo_bank, script, size=size)
