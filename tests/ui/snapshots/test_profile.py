"""Snapshots of the profile and of changing the password."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import TAB, SignIn, Snap, Type, snap, steps

# alice changes her password but types the current one wrong.
WRONG_CURRENT_PASSWORD = steps(
    SignIn("alice"),
    "p",
    "f3",
    Type("not my password"),
    TAB,
    Type("a brand new passphrase"),
    TAB,
    Type("a brand new passphrase"),
    "ctrl+s",
)


def test_profile_screen(snap_compare: Snap, demo_bank: Bank) -> None:
    """The profile as held by the bank, editable."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "p"))


def test_change_password_with_a_wrong_current_password(snap_compare: Snap, demo_bank: Bank) -> None:
    """The current password is required; a wrong one is reported beside it."""
    assert snap(snap_compare, demo_bank, WRONG_CURRENT_PASSWORD)


def test_profile_screen_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """alice's profile at 80x24."""
    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), "p"), size=(80, 24))
