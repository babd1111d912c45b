"""Pilot journeys through the teller and admin screens, checked against the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.domain.types import Actor
from bankapp.storage.models import PendingApproval
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.staff.customers import CustomerOverviewScreen
from tests.fixtures import acting_as, entry_count
from tests.ui.helpers import (
    SIZE,
    Expect,
    Keys,
    SignInStaff,
    Type,
    enter_each,
    find_customer,
    pilot_test,
    play,
    settle,
    sign_in,
    sign_in_staff,
)


def actor(bank: Bank, username: str) -> Actor:
    return acting_as(bank, username)


def alice_everyday(bank: Bank) -> int:
    admin = actor(bank, "admin")
    match = bank.customers.search(admin, "alice").matches[0]
    return bank.customers.overview(admin, match.id).accounts[0].balance


def pending_items(bank: Bank) -> list[Any]:
    items = PendingApproval
    return list(bank.db.read(lambda tx: tx.conn.execute(select(items).order_by(items.c.id)).all()))


def as_typed(cents: int) -> str:
    """An amount as a teller types it: 1234.50."""
    return f"{cents // 100}.{cents % 100:02d}"


async def next_sign_in(pilot: Pilot[Any], bank: Bank, username: str) -> None:
    """Sign out, let the clock move on (an accepted TOTP step is never accepted twice), and
    sign in as `username`."""
    pilot.app.sign_out()  # type: ignore[attr-defined]
    await settle(pilot)
    username_field = pilot.app.screen.query_one("#username", Input)
    username_field.value = ""  # the sign-in screen remembers the last user
    username_field.focus()
    clock = bank.db.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(minutes=2))
    await sign_in_staff(pilot, username)


@pilot_test
async def test_teller_day_with_a_deposit_an_approved_withdrawal_and_a_short_drawer(
    demo_bank: Bank,
) -> None:
    """The demo left the teller's drawer open, holding a large deposit that waits for a
    supervisor: it cannot close yet. The teller finds alice and takes a cash deposit; a
    withdrawal that takes her day over the threshold goes pending; the admin approves both
    requests, each against the drawer that took the cash; the teller closes it $1.00 short."""
    app = make_app(demo_bank)
    start = alice_everyday(demo_bank)
    teller = actor(demo_bank, "teller")
    drawer = demo_bank.drawers.current(teller)
    assert drawer is not None
    (van,) = [i for i in pending_items(demo_bank) if i.kind == "deposit"]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "teller")
        assert type(app.screen).__name__ == "StaffHomeScreen"
        await play(pilot, "d", Type(as_typed(drawer.cash_on_hand)), "enter")
        said = [n.message for n in app._notifications]
        assert any(f"#{van.id}" in m for m in said), said  # which request keeps it open
        assert demo_bank.drawers.current(teller) is not None
        await play(pilot, "escape", Expect(ConfirmModal))  # the count typed: leave it?
        await play(pilot, Keys("f10", "f"), Type("alice"), "enter")
        await play(pilot, "enter")  # open the first match
        assert type(app.screen).__name__ == "CustomerOverviewScreen"
        before = entry_count(demo_bank)
        await play(pilot, "c", Type("2500"), Keys("enter", "enter"))
        assert entry_count(demo_bank) == before  # the confirmation first
        await play(pilot, Expect(ConfirmModal), "enter")
        assert entry_count(demo_bank) == before + 1
        assert alice_everyday(demo_bank) == start + 250_000
        assert type(app.screen).__name__ == "CustomerOverviewScreen"  # back, balance shown
        await play(pilot, "w", Type("10500"), Keys("enter", "enter"))
        await play(pilot, Expect(ConfirmModal), "enter")  # send for approval
        assert entry_count(demo_bank) == before + 1  # pending: nothing moved
        request = pending_items(demo_bank)[-1]
        assert (request.status, request.amount, request.kind, request.drawer_id) == (
            "pending",
            1_050_000,
            "withdrawal",
            drawer.id,
        )

        await next_sign_in(pilot, demo_bank, "admin")
        await play(pilot, "a")  # the approvals queue, newest first
        table = app.screen.query_one("#approvals", DataTable)
        table.move_cursor(row=table.row_count - 1)  # the oldest: the van deposit
        await play(pilot, "a", Expect(ConfirmModal), "enter")
        assert demo_bank.approvals.get(actor(demo_bank, "admin"), van.id).status == "approved"
        app.screen.query_one("#approvals", DataTable).move_cursor(row=0)
        await play(pilot, "a", Expect(ConfirmModal), "enter")  # the withdrawal, same drawer
        assert pending_items(demo_bank)[-1].status == "approved"
        assert alice_everyday(demo_bank) == start + 250_000 - 1_050_000

        await next_sign_in(pilot, demo_bank, "teller")
        await play(pilot, "d")
        expected = drawer.cash_on_hand + 250_000 + 1_250_000 - 1_050_000
        now = demo_bank.drawers.current(teller)
        assert now is not None and now.id == drawer.id and now.cash_on_hand == expected
        await play(pilot, Type(as_typed(expected - 100)), "enter")  # a dollar short: tolerated
        await play(pilot, Expect(ConfirmModal), "enter")
        assert demo_bank.drawers.current(actor(demo_bank, "teller")) is None
        report = demo_bank.reports.end_of_day(actor(demo_bank, "admin"))
        assert report.drawers[-1].difference == -100
        assert demo_bank.verify().ok


@pilot_test
async def test_the_audit_viewer_verifies_the_chain(demo_bank: Bank) -> None:
    """F5 in the audit log runs the same check as `bankapp audit verify` and says so."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"), "l", "f5")
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Audit chain verified") for m in messages), messages


@pilot_test
async def test_a_teller_cannot_reach_admin_screens_by_key(demo_bank: Bank) -> None:
    """S and L do nothing for a teller (and the services would refuse anyway)."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), Keys("s", "l"))
        assert type(app.screen).__name__ == "StaffHomeScreen"


@pilot_test
async def test_teller_registers_a_customer_and_manages_their_accounts(demo_bank: Bank) -> None:
    """F2 registers a customer with a temporary password; O opens an account for them; Z
    freezes it; X closes the unused one after a confirmation; X on an account with money in
    it says why it cannot close and files nothing (issue 19: the request could only fail)."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        form = ("dora", "Dora Explorer", "dora@example.com", "+1 555 0199", "1 Map Road")
        await play(pilot, SignInStaff("teller"), "f", "f2", enter_each(*form), "ctrl+s")
        assert type(app.screen).__name__ == "CustomerOverviewScreen"
        dora = actor(demo_bank, "dora")
        assert demo_bank.auth.get_user(dora, dora.user_id).must_change_password
        await play(pilot, "o", "enter")  # "checking" is suggested
        [account] = demo_bank.accounts.list_accounts(dora)
        await play(pilot, "z", Type("Lost card"), "enter")
        assert demo_bank.accounts.get(dora, account.id).status == "frozen"
        await play(pilot, "z", "enter")
        assert demo_bank.accounts.get(dora, account.id).status == "open"
        await play(pilot, "x")
        assert demo_bank.accounts.get(dora, account.id).status == "open"  # asked first
        await play(pilot, "f10")
        assert demo_bank.accounts.get(dora, account.id).status == "closed"

        await play(pilot, Keys("escape", "escape", "escape"))  # Escape stops at the staff home
        assert type(app.screen).__name__ == "StaffHomeScreen"
        await play(pilot, find_customer("alice"))
        before = len(pending_items(demo_bank))
        await play(pilot, "x")  # alice's Everyday account has money in it
        assert len(pending_items(demo_bank)) == before
        notes = " ".join(str(n.message) for n in app._notifications)
        shown = " ".join(str(w.render()) for w in app.screen.query(".field-error"))
        assert "move it to another account" in notes + shown


@pilot_test
async def test_a_customer_opts_in_to_two_step_sign_in(
    demo_bank: Bank,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From the command palette's screen: scan, confirm a code, keep the recovery codes; the
    next sign-in asks for a code."""
    import pyotp

    from bankapp.services.auth.second_factor import unix_step
    from screens.staff.totp import SecondFactorSetupScreen

    key = "ALICEOPTINTOTPKEYAAAAAAAAAAAAAAA"
    monkeypatch.setattr(
        "bankapp.services.auth.second_factor.pyotp.random_base32", lambda length=32: key
    )
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        app.push_screen(SecondFactorSetupScreen())
        await settle(pilot)
        code = pyotp.TOTP(key).generate_otp(unix_step(demo_bank.clock.now()))
        await play(pilot, Keys(*code, "enter"))
        alice = actor(demo_bank, "alice")
        assert demo_bank.totp.remaining_recovery_codes(alice) == 8
        assert demo_bank.auth.login("alice", DEMO_PASSWORD).second_factor_required


@pilot_test
async def test_a_teller_prints_a_statement_from_the_customer_overview(demo_bank: Bank) -> None:
    """P on a customer's account opens that account's statement."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), find_customer("carol"), "p")
        assert type(app.screen).__name__ == "StatementScreen"
        carol = actor(demo_bank, "carol")
        assert app.screen.account_id == demo_bank.accounts.list_accounts(carol)[0].id  # type: ignore[attr-defined]
        assert not [n for n in app._notifications if n.severity == "error"]


@pilot_test
async def test_a_teller_who_typed_the_password_but_not_the_code_reaches_nothing(
    demo_bank: Bank,
) -> None:
    """On the second-factor step every key and palette command of the signed-in app does
    nothing, and a screen calling the bank with that session is refused by the bank."""
    from bankapp.errors import SignInIncomplete
    from screens.commands import BankCommands
    from screens.staff.totp import SecondFactorScreen

    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "teller")
        assert isinstance(app.screen, SecondFactorScreen)
        for key in ("f2", "f3", "f4", "f5", "f6", "f8", "ctrl+l", "y", "j"):
            await play(pilot, key)
            assert isinstance(app.screen, SecondFactorScreen), key
        assert app.signed_in is None
        provider = BankCommands(app.screen, None)
        await provider.startup()
        assert [c.name for c in provider.commands()] == ["Switch theme"]
        with pytest.raises(SignInIncomplete):
            demo_bank.customers.search(app.screen.pending.actor, "alice")
        await play(pilot, "escape")  # abandon: the half-finished session ends at the bank
        assert type(app.screen).__name__ == "LoginScreen"


@pilot_test
async def test_teller_serves_a_recent_customer_and_a_supervisor_approves_the_short_drawer(
    demo_bank: Bank,
) -> None:
    """Issue 19's journey: the teller signs in and picks a recent customer (the demo's teller
    served carol this morning), takes a cash deposit (previewed, confirmed), moves money to
    her own savings chosen by name, and closes the drawer $25.00 short, over the tolerance:
    it asks, then goes to a supervisor, who approves it from the queue after a confirmation.
    (The van deposit that keeps the demo's drawer open is decided first.)"""
    admin = actor(demo_bank, "admin")
    (van,) = [i for i in demo_bank.approvals.page(admin).items if i.kind == "deposit"]
    demo_bank.approvals.approve(admin, van.id)
    teller = actor(demo_bank, "teller")
    carol = demo_bank.customers.search(teller, "carol").matches[0]
    checking, house = demo_bank.accounts.list_accounts(teller, owner_id=carol.id)[:2]
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "teller")
        recent = str(app.screen.query_one("#staff-recent").render())
        assert "1  Bob Okafor (bob)" in recent and "2  Carol Nguyen (carol)" in recent
        before = entry_count(demo_bank)
        await play(pilot, "2", Expect(CustomerOverviewScreen))
        await play(pilot, Keys("c", settle=False), Type("300"), "ctrl+s", Expect(ConfirmModal))
        assert entry_count(demo_bank) == before  # previewed, not posted
        await play(pilot, "enter", Expect(CustomerOverviewScreen))
        assert entry_count(demo_bank) == before + 1
        last = str(app.screen.query_one("#customer-last").render())
        assert last.startswith("Took in $300.00")

        await play(pilot, "t")  # her own accounts are offered by name
        choice = app.screen.query_one("#destination", Select)
        assert choice.value == house.number
        await play(pilot, "tab", Type("120"), "ctrl+s", Expect(ConfirmModal))
        said = " ".join(f"{k}: {v}" for k, v in app.screen.lines)  # type: ignore[attr-defined]
        assert "House fund" in said and "Carol Nguyen" in said
        await play(pilot, "enter", Expect(CustomerOverviewScreen))
        assert demo_bank.accounts.get(teller, house.id).balance == house.balance + 12_000
        assert demo_bank.accounts.get(teller, checking.id).balance == checking.balance + 18_000

        await play(pilot, "escape", "d")  # the recent customer was opened from home
        drawer = demo_bank.drawers.current(teller)
        assert drawer is not None
        await play(pilot, Type(as_typed(drawer.cash_on_hand - 2_500)), "enter")
        assert isinstance(app.screen, ConfirmModal)  # over the tolerance: asks first
        await play(pilot, "enter")  # send it to a supervisor
        (request,) = [
            i for i in pending_items(demo_bank) if (i.status, i.kind) == ("pending", "drawer_close")
        ]

        await next_sign_in(pilot, demo_bank, "admin")
        await play(pilot, "a")
        table = app.screen.query_one("#approvals", DataTable)
        keys = [row.value for row in table.rows]
        table.move_cursor(row=keys.index(str(request.id)))
        await play(pilot, "a", Expect(ConfirmModal))
        assert demo_bank.approvals.get(admin, request.id).status == "pending"
        await play(pilot, "enter")
        assert demo_bank.approvals.get(admin, request.id).status == "approved"
    assert demo_bank.drawers.current(teller) is None
    assert demo_bank.reports.end_of_day(admin).drawers[-1].difference == -2_500
    assert demo_bank.verify().ok


@pilot_test
async def test_a_supervisor_asks_for_a_setting_change_and_a_second_one_approves_it(
    demo_bank: Bank,
) -> None:
    """admin opens the settings (i), asks for a lower ATM limit with a reason; a refused
    value files nothing; sam approves the request, and the limit applies."""
    app = make_app(demo_bank)
    before = len(pending_items(demo_bank))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_staff(pilot, "admin")
        await play(pilot, "i")
        assert type(app.screen).__name__ == "SettingsScreen"
        await play(pilot, *["down"] * 5, "enter")
        assert type(app.screen).__name__ == "ChangeSettingScreen"
        await play(pilot, Type("lots"), "enter")
        assert len(pending_items(demo_bank)) == before  # refused, nothing filed
        await play(pilot, Keys("ctrl+u"), Type("750"), "tab", Type("Skimmers found"), "ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "SettingsScreen"
    request = pending_items(demo_bank)[-1]
    assert (request.kind, request.status) == ("setting_change", "pending")
    assert demo_bank.settings.atm_daily_limit_cents == 100_000  # not before approval
    demo_bank.approvals.approve(actor(demo_bank, "sam"), request.id)
    assert demo_bank.settings.atm_daily_limit_cents == 75_000


@pilot_test
async def test_the_settings_table_shows_who_changed_each_setting_at_80x24(
    demo_bank: Bank,
) -> None:
    """The setting, its value and who changed it fit 80 columns; the default comes after."""
    app = make_app(demo_bank)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_staff(pilot, "admin")
        await play(pilot, "i")
        await settle(pilot)
        table = app.screen.query_one("#settings", DataTable)
        assert columns_in_view(table)[:3] == ["Setting", "Value", "Changed by"]


def columns_in_view(table: DataTable[Any]) -> list[str]:
    """The labels of the columns that fit the table's width without scrolling sideways."""
    right, shown = 0, []
    for column in table.ordered_columns:
        right += column.get_render_width(table)
        if right <= table.scrollable_content_region.width:
            shown.append(str(column.label))
    return shown


@pilot_test
async def test_the_customer_overview_shows_the_amount_of_recent_activity_at_80x24(
    demo_bank: Bank,
) -> None:
    """The amount of each recent movement fits 80 columns; a long memo is what is cut."""
    app = make_app(demo_bank)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_staff(pilot, "teller")
        await play(pilot, "1", Expect(CustomerOverviewScreen))
        recent = app.screen.query_one("#customer-recent", DataTable)
        assert recent.row_count > 0
        assert "Amount" in columns_in_view(recent)


@pilot_test
async def test_the_approvals_queue_shows_who_asked_at_80x24(demo_bank: Bank) -> None:
    """A supervisor sees the request, whom it is for, the amount and who made it (maker and
    checker must differ) without scrolling sideways; the memo is what gets cut."""
    app = make_app(demo_bank)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_staff(pilot, "admin")
        await play(pilot, "a")
        await settle(pilot)
        table = app.screen.query_one("#approvals", DataTable)
        assert table.row_count > 0
        assert columns_in_view(table)[:5] == ["#", "Request", "For", "Amount", "Maker"]
