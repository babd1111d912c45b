"""Keyboard and look: command palette, user keymap, vim keys, copy a number, themes, minus
signs (the pictures are in `snapshots/test_help_and_palette.py`, `test_themes.py` and
`test_dashboard.py`)."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import DataTable, Input

from bankapp.bank import Bank
from bankapp.storage.process_options import CONFIG as CONFIG_ENV
from screens.app import BankApp, make_app
from screens.config import remembered_theme
from tests.ui.helpers import (
    SIZE,
    Keys,
    SignIn,
    SignInStaff,
    config_file,
    open_palette,
    pilot_test,
    play,
    settle,
    sign_in,
)


def notifications(app: BankApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def screen_name(app: BankApp) -> str:
    return type(app.screen).__name__


# -- command palette ------------------------------------------------------------------------


@pilot_test
async def test_typing_account_digits_in_the_palette_opens_that_account(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        account = demo_bank.accounts.list_accounts(app.actor)[1]
        await open_palette(pilot, account.number[-6:])
        await play(pilot, "enter")
        assert screen_name(app) == "AccountScreen"
        assert app.screen.account_id == account.id  # type: ignore[attr-defined]


@pilot_test
async def test_the_palette_offers_no_bank_commands_while_the_screen_is_locked(
    demo_bank: Bank,
) -> None:
    """Locking covers the screen: the palette must not be a way around it."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "f8")
        assert app.locked
        from screens.commands import BankCommands

        provider = BankCommands(app.screen)
        await provider.startup()
        assert [c.name for c in provider.commands()] == ["Switch theme"]


# -- keys -----------------------------------------------------------------------------------


@pilot_test
async def test_a_key_remapped_in_the_config_file_runs_its_action(demo_bank: Bank) -> None:
    config_file('[keys]\ntransfer = "ctrl+t"\n')
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "t")
        assert screen_name(app) == "DashboardScreen", "the old key still works"
        await play(pilot, "ctrl+t")
        assert screen_name(app) == "PaymentScreen"
        assert app.config_problem is None


@pilot_test
async def test_bad_settings_are_reported_and_the_rest_of_the_file_applies(
    demo_bank: Bank,
) -> None:
    """Issue 20: one mistake no longer throws the whole file away."""
    path = config_file('theme = "nord"\n[keys]\ntransfer = "ctrl+"\nnonsense = 1\n')
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.config_problem is not None
        assert str(path) in app.config_problem
        assert "line 3: keys.transfer" in app.config_problem
        assert "line 4: keys.nonsense" in app.config_problem
        assert any("the rest of the file applies" in n for n in notifications(app))
        assert app.theme == "nord", "the valid setting in the file applies"
        await play(pilot, SignIn("alice"), "t")  # the bad remap was left out: t still works
        assert screen_name(app) == "PaymentScreen"


@pilot_test
async def test_an_unknown_binding_id_is_named_in_the_warning(demo_bank: Bank) -> None:
    config_file('[keys]\ntranfser = "ctrl+t"\n')
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.config_problem is not None
        assert "tranfser" in app.config_problem


@pilot_test
async def test_j_and_k_move_through_tables_but_type_into_inputs(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "k", "j")
        assert app.screen.query_one("#username", Input).value == "jkj"
        await pilot.press(*["backspace"] * 3)
        await sign_in(pilot, "alice")
        table = app.screen.query_one("#accounts", DataTable)
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1


@pilot_test
async def test_vim_keys_can_be_turned_off(demo_bank: Bank) -> None:
    config_file("vim_keys = false\n")
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        await pilot.press("j")
        assert app.screen.query_one("#accounts", DataTable).cursor_row == 0


@pilot_test
async def test_y_copies_the_selected_account_number_and_says_so(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        second = demo_bank.accounts.list_accounts(app.actor)[1]
        await play(pilot, Keys("j", "y"))
        assert app.clipboard == second.number
        assert any(second.number[-4:] in n and "copied" in n for n in notifications(app))


# -- themes ---------------------------------------------------------------------------------


@pilot_test
async def test_the_chosen_theme_is_remembered_for_the_next_start(demo_bank: Bank) -> None:
    config = Path(os.environ[CONFIG_ENV])
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert remembered_theme(config) is None, "starting up alone remembers nothing"
        app.theme = "nord"
        await settle(pilot)
    assert remembered_theme(config) == "nord"
    again = make_app(demo_bank)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


@pilot_test
async def test_the_config_file_theme_applies_when_none_was_picked(demo_bank: Bank) -> None:
    config_file('theme = "ansi-light"\n')
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "ansi-light"


# -- balances -------------------------------------------------------------------------------


BALANCE_COLUMN = 4


@pilot_test
async def test_negative_balances_carry_a_minus_sign_not_only_a_colour(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        accounts = demo_bank.accounts.list_accounts(app.actor)
        table = app.screen.query_one("#accounts", DataTable)
        balance = BALANCE_COLUMN  # the ledger balance; "Available" follows it
        shown = {str(table.get_row_at(i)[balance]).strip(): a for i, a in enumerate(accounts)}
        negative = [text for text, account in shown.items() if account.balance < 0]
        assert negative, "the demo has a credit card in use"
        assert all(text.startswith("-$") for text in negative)


@pilot_test
async def test_an_unknown_theme_in_the_config_file_is_named_in_the_warning(
    demo_bank: Bank,
) -> None:
    config_file('theme = "no-such-theme"\n')
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert app.config_problem is not None
        assert "no-such-theme" in app.config_problem


@pilot_test
async def test_help_on_the_staff_home_names_each_recent_customer_key(demo_bank: Bank) -> None:
    from screens.modals.help import HelpModal

    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), "f1")
        assert isinstance(app.screen, HelpModal)
        keys = dict(app.screen.keys)
        assert [keys.get(k) for k in "12345"] == [f"Recent customer {k}" for k in "12345"]
