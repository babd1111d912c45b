"""Snapshots of standing orders: the list of an account's orders, the form and its
confirmation, at both sizes."""

from __future__ import annotations

import pytest

from bankapp.bank import Bank
from tests.ui.helpers import TAB, SignIn, Snap, Type, snap, steps

SIZES = [(120, 34), (80, 24)]
open_orders = steps(SignIn("alice"), "enter", "o")


@pytest.mark.parametrize("size", SIZES, ids=["120x34", "80x24"])
def test_the_standing_orders_of_an_account(
    snap_compare: Snap, demo_bank: Bank, size: tuple[int, int]
) -> None:
    """alice's everyday account: the demo's monthly saving into her savings."""
    assert snap(snap_compare, demo_bank, open_orders, size=size)


@pytest.mark.parametrize("size", SIZES, ids=["120x34", "80x24"])
def test_the_new_standing_order_form(
    snap_compare: Snap, demo_bank: Bank, size: tuple[int, int]
) -> None:
    assert snap(snap_compare, demo_bank, steps(open_orders, "n"), size=size)


@pytest.mark.parametrize("size", SIZES, ids=["120x34", "80x24"])
def test_the_standing_order_confirmation(
    snap_compare: Snap, demo_bank: Bank, size: tuple[int, int]
) -> None:
    """Name, own savings (the first choice), amount and day typed; Ctrl+S asks the bank."""
    script = steps(
        open_orders, "n", Type("Gym"), TAB, TAB, Type("25.00"), TAB, TAB, Type("15"), "ctrl+s"
    )
    assert snap(snap_compare, demo_bank, script, size=size)
