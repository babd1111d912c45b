"""Snapshots of an account's detail: the first page of history and its filters."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind
from screens.account import AccountScreen
from tests.ui.helpers import TAB, Do, Keys, SignIn, Snap, Type, snap, steps


def test_account_detail_shows_one_page_of_history(snap_compare: Snap, demo_bank: Bank) -> None:
    """Enter on an account opens its balance, details and the newest page of history."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "enter"))


def test_history_memo_markup_is_shown_literally(snap_compare: Snap, demo_bank: Bank) -> None:
    """A memo typed as Rich markup appears as the characters typed, filtered by memo."""
    script = steps(
        SignIn("alice"),
        "d",
        Type("12.34"),
        TAB,
        Type("[bold red]x[/] [link=https://e.vil]y[/link]"),
        "ctrl+s",
        "enter",  # confirm
        "escape",  # result -> dashboard
        "enter",  # open the account
        Keys("ctrl+f", settle=False),
        *[TAB] * 5,  # to the memo filter
        Type("bold"),
        "enter",
    )
    assert snap(snap_compare, demo_bank, script)


def test_history_filter_with_a_bad_date_says_how_to_write_it(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """A date the filter cannot read is reported beside the filters; the rows stay."""
    script = steps(
        SignIn("alice"), "enter", Keys("ctrl+f", settle=False), Type("yesterday"), "enter"
    )
    assert snap(snap_compare, demo_bank, script)


def _empty_pot(pilot: Any) -> None:
    """alice's new empty account "Pot" with a debit card, opened on its own screen."""
    bank = pilot.app.bank
    pot = bank.accounts.open(pilot.app.actor, AccountKind.CHECKING, "Pot")
    bank.cards.rng = random.Random(3)
    bank.cards.issue_debit(pilot.app.actor, pot.id)
    pilot.app.push_screen(AccountScreen(pot.id))


def test_closing_an_account_asks_first_naming_its_cards(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """X on an empty account: what closing does, the debit card cancelled with it."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), Do(_empty_pot), "x"))


def test_closing_an_account_asks_first_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    script = steps(SignIn("alice"), Do(_empty_pot), "x")
    assert snap(snap_compare, demo_bank, script, size=(80, 24))


LONG_MEMO = (
    "Rent for the flat on Harbour Road, November and December, with the late fee and the "
    "key deposit the landlord asked for"
)


def _long_memo_transfer(pilot: Any) -> None:
    bank = pilot.app.bank
    accounts = bank.accounts.list_accounts(pilot.app.actor)
    checking = next(a for a in accounts if a.kind == AccountKind.CHECKING)
    savings = next(a for a in accounts if a.kind == AccountKind.SAVINGS)
    bank.payments.transfer(pilot.app.actor, checking.id, savings.number, 4_321, memo=LONG_MEMO)


@pytest.mark.parametrize("size", [(120, 34), (80, 24)], ids=["120x34", "80x24"])
def test_a_history_line_in_full(snap_compare: Snap, demo_bank: Bank, size: tuple[int, int]) -> None:
    """Enter on a history line: every field, the whole memo wrapped (the table cut it)."""
    script = steps(SignIn("alice"), Do(_long_memo_transfer), "enter", "enter")
    assert snap(snap_compare, demo_bank, script, size=size)
