"""Snapshots of signing in: the first screen and each refusal a user can reach."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from bankapp.bank import Bank
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.errors import AuthenticationFailed
from tests.fixtures import acting_as
from tests.ui.helpers import SignIn, Snap, settle, snap, steps


def test_login_screen_shows_the_demo_sign_ins(snap_compare: Snap, demo_bank: Bank) -> None:
    """The first screen: username, masked password, and the demo sign-ins on a demo bank."""
    assert snap(snap_compare, demo_bank, settle)


def test_login_with_a_wrong_password_says_so(snap_compare: Snap, demo_bank: Bank) -> None:
    """A wrong password gives one generic message and clears the password field."""
    assert snap(snap_compare, demo_bank, SignIn("alice", "not-the-password"))


def test_login_when_locked_says_until_when(snap_compare: Snap, demo_bank: Bank) -> None:
    """After the fifth failure the user is locked, and the screen says until when."""
    clock = demo_bank.db.clock
    for _ in range(demo_bank.settings.lockout_after - 1):
        with contextlib.suppress(AuthenticationFailed):
            demo_bank.auth.login("bob", "wrong password!")
        clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    assert snap(snap_compare, demo_bank, SignIn("bob", "still the wrong one"))


def test_login_when_throttled_says_how_long_to_wait(snap_compare: Snap, demo_bank: Bank) -> None:
    """Quick failures after the third are refused with the seconds left to wait."""
    for _ in range(demo_bank.settings.throttle_after):
        with contextlib.suppress(AuthenticationFailed):
            demo_bank.auth.login("carol", "wrong password!")
    assert snap(snap_compare, demo_bank, SignIn("carol", DEMO_PASSWORD))


def test_signing_in_after_a_reset_says_who_reset_the_password_and_when(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """sam asked, the admin approved: alice signs in with the temporary password and is told
    who reset it and when before she chooses a new one."""
    alice_id = acting_as(demo_bank, "alice").user_id
    request = demo_bank.staff.reset_password(acting_as(demo_bank, "sam"), alice_id)
    password = demo_bank.approvals.approve(acting_as(demo_bank, "admin"), request.id)
    script = steps(SignIn("alice", password.temporary_password))
    assert snap(snap_compare, demo_bank, script)


def test_login_screen_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """The first screen on the smallest terminal we support: the fields, the demo sign-ins
    and the keys to register or quit all fit."""
    assert snap(snap_compare, demo_bank, settle, size=(80, 24))
