"""The account history's filters: every real kind of entry offered (from the one list),
Ctrl+X clears them from inside a filter field, Escape leaves a filter field before the
screen."""

from __future__ import annotations

from textual.widgets import Input, Select

from bankapp.bank import Bank
from bankapp.domain.entry_kinds import CUSTOMER_ENTRY_KINDS, ENTRY_KINDS
from bankapp.services.history import HistoryFilter
from screens.account import AccountScreen
from screens.app import make_app
from screens.dashboard import DashboardScreen
from screens.labels import ENTRY_KIND_LABELS, entry_kind_label
from screens.widgets.ledger_table import LedgerTable
from tests.ui.helpers import TAB, Expect, Keys, SignIn, Type, pilot_test, play


def test_every_kind_of_entry_has_a_label() -> None:
    assert set(ENTRY_KIND_LABELS) == set(ENTRY_KINDS)


@pilot_test
async def test_the_kind_filter_offers_every_kind_a_customer_account_has(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=(120, 34)) as pilot:
        await play(pilot, SignIn("alice"), "enter", Expect(AccountScreen))
        kinds = app.screen.query_one("#kind", Select)
        offered = [(str(label), value) for label, value in kinds._options[1:]]  # after "Any"
        assert offered == [(entry_kind_label(k), k) for k in CUSTOMER_ENTRY_KINDS]
        assert ("Standing order", "standing_order") in offered
        assert ("Interest", "interest") in offered


@pilot_test
async def test_ctrl_x_clears_the_filters_from_inside_a_filter_field(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=(120, 34)) as pilot:
        await play(pilot, SignIn("alice"), "enter", Keys("ctrl+f", settle=False))
        await play(pilot, *[TAB] * 5, Type("Salary"), "enter")
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        memo = screen.query_one("#memo", Input)
        assert app.focused is memo and screen.filters.memo_contains == "Salary"
        await play(pilot, "ctrl+x")
        assert memo.value == "" and screen.filters == HistoryFilter()


@pilot_test
async def test_escape_leaves_a_filter_field_first_then_the_screen(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=(120, 34)) as pilot:
        await play(pilot, SignIn("alice"), "enter", "ctrl+f", Type("2026"))
        assert isinstance(app.focused, Input)
        await play(pilot, "escape", Expect(AccountScreen))
        assert isinstance(app.focused, LedgerTable)
        await play(pilot, "escape", Expect(DashboardScreen))
