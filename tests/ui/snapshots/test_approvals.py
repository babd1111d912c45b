"""Snapshots of the maker-checker queue: pending requests and a rejection's reason."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from bankapp.bank import Bank
from bankapp.services.auth import access_changes
from tests.fixtures import acting_as
from tests.ui.helpers import Do, SignInStaff, Snap, Step, Type, snap, steps


def test_approvals_queue_for_an_admin(snap_compare: Snap, demo_bank: Bank) -> None:
    """The pending request the teller made, with maker and memo."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "a"))


def test_approving_asks_first_naming_what_it_moves(snap_compare: Snap, demo_bank: Bank) -> None:
    """A on the teller's waiting deposit: the account and its balance after, the drawer
    after the cash, checked by the bank; nothing is approved yet."""
    assert snap(snap_compare, demo_bank, steps(SignInStaff("admin"), "a", Do(to_the_deposit), "a"))


def test_approving_asks_first_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    script = steps(SignInStaff("admin"), "a", Do(to_the_deposit), "a")
    assert snap(snap_compare, demo_bank, script, size=(80, 24))


def to_the_deposit(pilot: Pilot[Any]) -> None:
    """The cursor on the teller's waiting cash deposit."""
    table = pilot.app.screen.query_one("#approvals", DataTable)
    row = next(i for i in range(table.row_count) if "Cash deposit" in str(table.get_row_at(i)))
    table.move_cursor(row=row)


def test_rejecting_asks_for_a_reason(snap_compare: Snap, demo_bank: Bank) -> None:
    """R on a request opens the reason prompt."""
    script = steps(SignInStaff("admin"), "a", "r", Type("No proof of sale"))
    assert snap(snap_compare, demo_bank, script)


def test_approving_a_credit_application_asks_for_the_limit(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """bob's application from the demo: A asks the limit to grant, the bounds beside it."""

    def to_the_application(pilot: Pilot[Any]) -> None:
        table = pilot.app.screen.query_one("#approvals", DataTable)
        row = next(i for i in range(table.row_count) if "Credit card" in str(table.get_row_at(i)))
        table.move_cursor(row=row)

    script = steps(SignInStaff("admin"), "a", Do(to_the_application), "a")
    assert snap(snap_compare, demo_bank, script)


def handing_over_a_reset(demo_bank: Bank, monkeypatch: pytest.MonkeyPatch) -> Step:
    """sam asked for alice's password to be reset; the admin approves it and is shown the
    temporary password (fixed here) once, to hand over."""
    monkeypatch.setattr(access_changes, "temporary_password", lambda: "kQ3x-Tr9p-Zm2w")
    alice_id = acting_as(demo_bank, "alice").user_id
    request = demo_bank.staff.reset_password(acting_as(demo_bank, "sam"), alice_id)

    def to_the_request(pilot: Pilot[Any]) -> None:
        table = pilot.app.screen.query_one("#approvals", DataTable)
        row = next(
            i for i in range(table.row_count) if str(table.get_row_at(i)[0]) == str(request.id)
        )
        table.move_cursor(row=row)

    return steps(SignInStaff("admin"), "a", Do(to_the_request), "a", "enter")


def test_an_approved_reset_hands_the_password_over_once(
    snap_compare: Snap, demo_bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert snap(snap_compare, demo_bank, handing_over_a_reset(demo_bank, monkeypatch))


def test_a_request_in_full_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """Enter on a request: every field labelled, the amount as money, the memo whole."""
    assert snap(
        snap_compare, demo_bank, steps(SignInStaff("admin"), "a", "down", "enter"), size=(80, 24)
    )
