"""Snapshots of the statement screen: a month with activity and an empty statement."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind
from bankapp.services.statements import Preset
from screens.statements import StatementScreen
from tests.ui.helpers import Do, SignIn, Snap, alice, snap, steps


def test_statement_of_last_month_with_activity(snap_compare: Snap, demo_bank: Bank) -> None:
    """Last month of alice's main account: summary, balance chart and the first lines."""

    def open_last_month(pilot: Pilot[Any]) -> None:
        account_id = demo_bank.accounts.list_accounts(pilot.app.actor)[0].id  # type: ignore[attr-defined]
        pilot.app.push_screen(StatementScreen(account_id, Preset.LAST_MONTH))

    assert snap(snap_compare, demo_bank, steps(SignIn("alice"), Do(open_last_month)))


def test_statement_of_an_account_with_no_activity(snap_compare: Snap, demo_bank: Bank) -> None:
    """A new account's statement: zero balances and 'No transactions in this period.'"""
    empty = demo_bank.accounts.open(alice(demo_bank), AccountKind.SAVINGS, "Empty pot")
    script = steps(
        SignIn("alice"), Do(lambda pilot: pilot.app.push_screen(StatementScreen(empty.id)))
    )
    assert snap(snap_compare, demo_bank, script)


def test_statement_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    """Last month's statement at 80x24: the summary and the lines, amounts not cut off."""

    def open_last_month(pilot: Pilot[Any]) -> None:
        account_id = demo_bank.accounts.list_accounts(pilot.app.actor)[0].id  # type: ignore[attr-defined]
        pilot.app.push_screen(StatementScreen(account_id, Preset.LAST_MONTH))

    script = steps(SignIn("alice"), Do(open_last_month))
    assert snap(snap_compare, demo_bank, script, size=(80, 24))
