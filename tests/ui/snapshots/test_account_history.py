"""Snapshots of an account's detail: the first page of history and its filters."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import TAB, Keys, SignIn, Snap, Type, snap, steps


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
