"""Snapshots of a new customer registering: live password rules, errors in place."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import TAB, Keys, Snap, Type, settle, snap, steps

# A new customer types a weak password: the rules it breaks are listed as it is typed.
LIVE_FEEDBACK = steps(
    settle,
    "f2",
    Type("dora"),
    Keys("enter", settle=False),
    Type("Dora Explorer"),
    *[TAB] * 4,  # to the password
    Type("password"),
    settle,
)


def test_registration_gives_live_password_feedback(snap_compare: Snap, demo_bank: Bank) -> None:
    """The rules the password breaks are listed as it is typed (from the service's rules)."""
    assert snap(snap_compare, demo_bank, LIVE_FEEDBACK)


def test_registration_shows_errors_beside_the_field(snap_compare: Snap, demo_bank: Bank) -> None:
    """A taken username is reported under the username field; nothing is created."""
    script = steps(
        settle,
        "f2",
        Type("alice"),
        TAB,
        Type("Another Alice"),
        TAB,
        Type("alice2@example.com"),
        Keys("tab", "tab", "tab", settle=False),
        Type("a fine long passphrase"),
        TAB,
        Type("a fine long passphrase"),
        "ctrl+s",
    )
    assert snap(snap_compare, demo_bank, script)


def test_registration_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The registration form and its live password rules at 80x24."""
    assert snap(snap_compare, demo_bank, LIVE_FEEDBACK, size=(80, 24))
