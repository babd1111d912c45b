"""A screen showing live data refreshes within seconds when another workstation changes it,
and says what changed: the bank's change mark is polled in a worker (`refresh_seconds`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from screens.app import make_app
from screens.holds import HoldsScreen
from screens.staff.home import StaffHomeScreen
from screens.standing_orders import StandingOrdersScreen
from screens.statements import StatementScreen
from tests.fixtures import counter_staff
from tests.ui.helpers import (
    SIZE,
    Expect,
    SignIn,
    SignInStaff,
    alice,
    open_cards,
    pilot_test,
    play,
    screen_text,
)

POLL = 0.2


async def eventually(pilot: Pilot[Any], seen: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if seen():
            return
        await pilot.pause(0.1)
    assert seen(), "the screen did not refresh"


def said(app: Any) -> str:
    return " ".join(str(note.message) for note in app._notifications)


@pilot_test
async def test_the_dashboard_shows_cash_paid_in_on_another_workstation(demo_bank: Bank) -> None:
    everyday = demo_bank.accounts.list_accounts(alice(demo_bank))[0]
    app = make_app(demo_bank, refresh_seconds=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"))
        await pilot.pause(3 * POLL)  # the first poll: the mark of what the dashboard shows
        assert "Updated" not in said(app)
        teller, _ = counter_staff(demo_bank)
        demo_bank.payments.deposit(teller, everyday.id, 12_34)
        after = app.money(everyday.balance + 12_34)
        await eventually(pilot, lambda: after in screen_text(app))
        await eventually(pilot, lambda: "balance" in said(app))
        assert f"{everyday.name}: balance {after} (was {app.money(everyday.balance)})" in said(app)


@pilot_test
async def test_a_supervisors_home_counts_a_request_filed_at_another_counter(
    demo_bank: Bank,
) -> None:
    everyday = demo_bank.accounts.list_accounts(alice(demo_bank))[0]
    app = make_app(demo_bank, refresh_seconds=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"))
        assert isinstance(app.screen, StaffHomeScreen)
        await pilot.pause(3 * POLL)
        before = app.screen.pending
        assert before is not None
        teller, _ = counter_staff(demo_bank)
        demo_bank.approvals.submit(teller, "deposit", everyday.id, 2_000_000)
        await eventually(pilot, lambda: app.screen.pending == before + 1)
        await eventually(pilot, lambda: "Requests pending" in said(app))
        assert f"Requests pending: {before + 1} (was {before})" in said(app)


@pilot_test
async def test_the_cards_screen_shows_a_card_frozen_at_the_counter(demo_bank: Bank) -> None:
    card = demo_bank.cards.list_cards(alice(demo_bank))[-1]
    app = make_app(demo_bank, refresh_seconds=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_cards)
        await pilot.pause(3 * POLL)
        teller, _ = counter_staff(demo_bank)
        demo_bank.cards.freeze(teller, card.id, "Customer phoned: card mislaid")
        await eventually(pilot, lambda: f"Card {card.masked} is now frozen" in said(app))
        assert "frozen" in screen_text(app)


@pilot_test
async def test_without_polling_nothing_refreshes_by_itself(demo_bank: Bank) -> None:
    """The check above can fail: with the poll off, the dashboard keeps what it showed."""
    everyday = demo_bank.accounts.list_accounts(alice(demo_bank))[0]
    app = make_app(demo_bank, refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"))
        teller, _ = counter_staff(demo_bank)
        demo_bank.payments.deposit(teller, everyday.id, 12_34)
        await pilot.pause(1.0)
        assert app.money(everyday.balance + 12_34) not in screen_text(app)


@pilot_test
async def test_the_holds_screen_shows_a_hold_placed_at_the_counter(demo_bank: Bank) -> None:
    everyday = demo_bank.accounts.list_accounts(alice(demo_bank))[0]
    app = make_app(demo_bank, refresh_seconds=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "enter", "h", Expect(HoldsScreen))
        await pilot.pause(3 * POLL)
        teller, _ = counter_staff(demo_bank)
        hold = demo_bank.holds.place(
            teller,
            everyday.id,
            12_34,
            "Disputed deposit",
            until=datetime.now(UTC) + timedelta(days=2),
        )
        await eventually(pilot, lambda: f"New hold #{hold.id}: $12.34" in said(app))
        assert "Disputed deposit" in screen_text(app)
        assert f"{everyday.name}: available" in said(app)


@pilot_test
async def test_the_standing_orders_screen_shows_an_order_paused_elsewhere(demo_bank: Bank) -> None:
    actor = alice(demo_bank)
    everyday = demo_bank.accounts.list_accounts(actor)[0]
    order = next(
        o for o in demo_bank.standing_orders.list_orders(actor, everyday.id) if o.status == "active"
    )
    app = make_app(demo_bank, refresh_seconds=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "enter", "o", Expect(StandingOrdersScreen))
        await pilot.pause(3 * POLL)
        demo_bank.standing_orders.pause(actor, order.id)  # her phone, say
        await eventually(pilot, lambda: f"Standing order {order.name} is now paused" in said(app))
        assert "paused" in screen_text(app)


@pilot_test
async def test_the_statement_shows_a_deposit_made_at_the_counter(demo_bank: Bank) -> None:
    everyday = demo_bank.accounts.list_accounts(alice(demo_bank))[0]
    app = make_app(demo_bank, refresh_seconds=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "s", Expect(StatementScreen))
        await pilot.pause(3 * POLL)
        screen = app.screen
        assert isinstance(screen, StatementScreen) and screen.summary is not None
        before = screen.summary
        teller, _ = counter_staff(demo_bank)
        demo_bank.payments.deposit(teller, everyday.id, 12_34)
        await eventually(pilot, lambda: "1 new transaction in this period" in said(app))
        await eventually(pilot, lambda: screen.summary is not before)
        assert screen.summary is not None
        assert screen.summary.line_count == before.line_count + 1
        assert screen.summary.closing_balance == before.closing_balance + 12_34
