"""Enter on a history line or an audit row shows it in full: the whole memo (cut with "…" in
the table, so the other columns stay on screen), an audit event's details with amounts as
money rather than raw JSON in cents."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console
from textual.widgets import DataTable, Static

from bankapp.bank import Bank
from bankapp.domain.audit_details import MONEY_DETAILS, OTHER_NUMBER_DETAILS
from bankapp.domain.types import AccountKind, AuditLine
from screens.app import make_app
from screens.modals.details import DetailsModal, audit_line_details
from tests.conftest import FROZEN_NOW
from tests.fixtures import acting_as
from tests.ui.helpers import SIZE, SignIn, SignInStaff, pilot_test, play

LONG_MEMO = (
    "Rent for the flat on Harbour Road, November and December, with the late fee and the "
    "key deposit; Harbour Road again"
)


def rendered(widget: Static) -> str:
    """The widget's Rich content as the terminal shows it, at the widget's width."""
    console = Console(width=widget.content_size.width, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def move_to_savings(bank: Bank, app: Any, cents: int, memo: str) -> None:
    accounts = bank.accounts.list_accounts(app.actor)
    checking = next(a for a in accounts if a.kind == AccountKind.CHECKING)
    savings = next(a for a in accounts if a.kind == AccountKind.SAVINGS)
    bank.payments.transfer(app.actor, checking.id, savings.number, cents, memo=memo)


@pilot_test
async def test_a_long_memo_is_cut_in_the_table_and_whole_in_the_line_detail(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"))
        move_to_savings(demo_bank, app, 4_321, LONG_MEMO)
        await play(pilot, "enter")  # alice's checking account, newest line first
        table = app.screen.query_one("#history", DataTable)
        shown = str(table.get_row_at(0)[4])
        assert shown.endswith("…") and len(shown) < len(LONG_MEMO)
        assert LONG_MEMO.startswith(shown[:-1])
        await play(pilot, "enter")
        assert isinstance(app.screen, DetailsModal)
        details = rendered(app.screen.query_one("#details-lines", Static))
        assert "-$43.21" in details
        assert " ".join(details.split()).count("Harbour Road") == 2  # the whole memo, wrapped
        await play(pilot, "escape")
        assert type(app.screen).__name__ == "AccountScreen"


@pilot_test
async def test_an_audit_row_shows_its_details_with_amounts_as_money(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"), "l")
        table = app.screen.query_one("#audit", DataTable)
        money_row = next(
            row
            for row in range(table.row_count)
            if str(table.get_row_at(row)[3]).startswith("money.")
        )
        table.move_cursor(row=money_row)
        await play(pilot, "enter")
        assert isinstance(app.screen, DetailsModal)
        details = rendered(app.screen.query_one("#details-lines", Static))
        assert "Kind" in details and "money." in details
        assert "minor units)" in details and "$" in details  # the amount as money and as stored
        assert '{"' not in details  # not the raw JSON
        await play(pilot, "escape")
        assert type(app.screen).__name__ == "AuditLogScreen"


def test_every_whole_number_an_audit_event_records_is_named_money_or_not(
    demo_bank: Bank,
) -> None:
    """The demo's events (money, drawers with a shortage, cards, standing orders, interest,
    close of business): a whole number in their details that is neither money nor named
    otherwise would be shown as a bare integer, or a count shown as dollars."""
    admin = acting_as(demo_bank, "admin")
    seen: set[str] = set()
    page = demo_bank.audit_log.page(admin, limit=500)
    while True:
        for line in page.lines:
            details = json.loads(line.details or "{}")
            if isinstance(details, dict):
                seen |= {k for k, v in details.items() if type(v) is int}
        if page.next_cursor is None:
            break
        page = demo_bank.audit_log.page(admin, limit=500, before_seq=page.next_cursor)
    assert {"amount", "difference", "opening_cash"} <= seen  # the demo has what we look for
    assert seen - MONEY_DETAILS - OTHER_NUMBER_DETAILS == set()


def test_a_drawer_difference_is_shown_as_money() -> None:
    line = AuditLine(
        seq=7,
        at=FROZEN_NOW,
        actor_name="teller",
        kind="drawer.close",
        subject="drawer 3",
        details=json.dumps({"expected": 125_000, "counted": 124_500, "difference": -500}),
    )
    shown = dict(audit_line_details(line, "USD"))
    assert shown["Difference"] == "-$5.00 (-500 minor units)"
    assert shown["Counted"] == "$1,245.00 (124500 minor units)"


@pilot_test
async def test_an_approval_row_shows_the_request_in_full(demo_bank: Bank) -> None:
    admin = acting_as(demo_bank, "admin")
    (van,) = [i for i in demo_bank.approvals.page(admin).items if i.kind == "deposit"]
    app = make_app(demo_bank)
    async with app.run_test(size=(80, 24)) as pilot:
        await play(pilot, SignInStaff("admin"), "a")
        table = app.screen.query_one("#approvals", DataTable)
        keys = [row.value for row in table.rows]
        table.move_cursor(row=keys.index(str(van.id)))
        await play(pilot, "enter")
        assert isinstance(app.screen, DetailsModal)
        details = rendered(app.screen.query_one("#details-lines", Static))
        assert f"#{van.id} " in details and "Sale of delivery van" in details
        assert app.money(van.amount) in details and "teller" in details
        await play(pilot, "escape")
        assert type(app.screen).__name__ == "ApprovalsScreen"
        assert demo_bank.approvals.get(admin, van.id).status == "pending"  # nothing decided
