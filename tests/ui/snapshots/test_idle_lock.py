"""Snapshots of the idle lock that covers the screen until the password is typed again."""

from __future__ import annotations

from bankapp.bank import Bank
from tests.ui.helpers import Do, SignIn, Snap, Type, snap, steps


def test_idle_lock_modal_after_a_wrong_password(snap_compare: Snap, demo_bank: Bank) -> None:
    """The lock covers the screen; a wrong password is said plainly."""
    script = steps(
        SignIn("alice"),
        Do(lambda pilot: pilot.app.lock_screen()),  # type: ignore[attr-defined]
        Type("wrong"),
        "enter",
    )
    assert snap(snap_compare, demo_bank, script)


def test_idle_lock_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The lock at 80x24."""
    script = steps(SignIn("alice"), Do(lambda pilot: pilot.app.lock_screen()))  # type: ignore[attr-defined]
    assert snap(snap_compare, demo_bank, script, size=(80, 24))
