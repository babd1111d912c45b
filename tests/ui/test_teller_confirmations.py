"""A teller's actions are previewed by the bank, confirmed, then posted: cash in and out and
the transfer on a customer's behalf, approving a request, closing a drawer. A refusal shows
beside its field, with the focus there; the confirmation names exactly what will happen."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Select, Static

from bankapp.bank import Bank
from bankapp.domain.account_numbers import mask_account_number
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.staff.cash import CashScreen
from screens.staff.customers import CustomerOverviewScreen
from screens.staff.drawer import DrawerScreen
from tests.fixtures import acting_as, entry_count
from tests.ui.helpers import (
    SIZE,
    Expect,
    Keys,
    SignInStaff,
    Type,
    open_alice,
    pilot_test,
    play,
    settle,
)


def confirm_text(app: Any) -> str:
    """The confirmation's lines, as one string."""
    assert isinstance(app.screen, ConfirmModal), app.screen
    return " ".join(f"{label}: {value}" for label, value in app.screen.lines)


def error_text(screen: Any, field: str) -> str:
    return str(screen.query_one(f"#{field}-error", Static).render())


def alice_everyday(bank: Bank) -> Any:
    teller = acting_as(bank, "teller")
    match = bank.customers.search(teller, "alice").matches[0]
    return bank.customers.overview(teller, match.id).accounts[0]


def decide_the_waiting_deposit(bank: Bank) -> None:
    admin = acting_as(bank, "admin")
    van = next(i for i in bank.approvals.page(admin).items if i.kind == "deposit")
    bank.approvals.approve(admin, van.id)


@pilot_test
async def test_cash_out_is_confirmed_with_the_customer_balance_and_drawer_before_it_posts(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    everyday = alice_everyday(demo_bank)
    drawer = demo_bank.drawers.current(acting_as(demo_bank, "teller"))
    assert drawer is not None
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, Keys("w", settle=False), Type("40"), "ctrl+s")
        before = entry_count(demo_bank)
        said = confirm_text(app)
        assert "Cash withdrawal $40.00" in said
        assert f"Alice Martin — {everyday.name} {mask_account_number(everyday.number)}" in said
        assert f"Balance after: {app.money(everyday.balance - 4_000)}" in said
        assert f"Your drawer after: {app.money(drawer.cash_on_hand - 4_000)}" in said
        assert entry_count(demo_bank) == before  # nothing posted on Ctrl+S

        await play(pilot, "enter")  # confirm: posted, and back to the customer
        assert entry_count(demo_bank) == before + 1
        assert alice_everyday(demo_bank).balance == everyday.balance - 4_000
        overview = app.screen
        assert isinstance(overview, CustomerOverviewScreen)
        balance = app.money(everyday.balance - 4_000)
        said = str(overview.query_one("#customer-last", Static).render())
        assert said.startswith("Paid out $40.00") and f"New balance {balance}" in said
        accounts = overview.query_one("#customer-accounts", DataTable)
        row = accounts.get_row_at(accounts.cursor_row)  # the same account still chosen
        assert str(row[1]) == mask_account_number(everyday.number) and str(row[4]) == balance
    assert demo_bank.verify().ok


@pilot_test
async def test_escape_on_the_confirmation_posts_nothing(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, Keys("c", settle=False), Type("25"), "ctrl+s")
        before = entry_count(demo_bank)
        await play(pilot, Expect(ConfirmModal), "escape", Expect(CashScreen))
        assert entry_count(demo_bank) == before


@pilot_test
async def test_a_refused_counter_movement_shows_beside_its_field_with_the_focus_there(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        # More than the drawer holds, submitted from the memo: refused beside the amount.
        await play(pilot, open_alice, Keys("w", settle=False), Type("9000"))
        await play(pilot, Keys("enter", settle=False), Type("rent"), "enter")
        assert isinstance(app.screen, CashScreen)
        assert "Not enough cash in your drawer" in error_text(app.screen, "amount")
        assert app.focused is app.screen.query_one("#amount", Input)
        await play(pilot, "escape", Expect(ConfirmModal), "f10", "t")  # leave what was typed
        app.screen.query_one("#destination", Select).value = "other"
        await play(pilot, settle, Type("1234567890"), "enter")  # the payee is looked up
        destination = app.screen.query_one("#destination-number", Input)
        assert "No account with number" in error_text(app.screen, "destination")
        assert app.focused is destination
        app.screen.query_one("#amount", Input).value = "25"
        await play(pilot, "ctrl+s")  # and the preview refuses it too
        assert isinstance(app.screen, CashScreen)
        assert "No account with number" in error_text(app.screen, "destination")
        assert app.focused is destination


@pilot_test
async def test_approving_a_request_asks_first_naming_what_it_moves(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    admin = acting_as(demo_bank, "admin")
    (van,) = [i for i in demo_bank.approvals.page(admin).items if i.kind == "deposit"]
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("admin"), "a")
        table = app.screen.query_one("#approvals")
        keys = [row.value for row in table.rows]  # type: ignore[attr-defined]
        table.move_cursor(row=keys.index(str(van.id)))  # type: ignore[attr-defined]
        await play(pilot, "a")
        said = confirm_text(app)
        assert f"#{van.id}" in said and app.money(van.amount) in said
        assert demo_bank.approvals.get(admin, van.id).status == "pending"
        await play(pilot, "escape")
        assert demo_bank.approvals.get(admin, van.id).status == "pending"
        await play(pilot, "a", "enter")
        assert demo_bank.approvals.get(admin, van.id).status == "approved"
    assert demo_bank.verify().ok


@pilot_test
async def test_a_drawer_counted_short_asks_before_it_closes(demo_bank: Bank) -> None:
    decide_the_waiting_deposit(demo_bank)
    teller = acting_as(demo_bank, "teller")
    drawer = demo_bank.drawers.current(teller)
    assert drawer is not None
    short = drawer.cash_on_hand - 500
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignInStaff("teller"), "d", Type(f"{short / 100:.2f}"), "enter")
        said = confirm_text(app)
        assert f"Expected cash: {app.money(drawer.cash_on_hand)}" in said
        assert f"Counted cash: {app.money(short)}" in said
        assert "Difference: -$5.00 (short)" in said
        assert demo_bank.drawers.current(teller) is not None  # still open
        await play(pilot, "escape", Expect(DrawerScreen))
        assert demo_bank.drawers.current(teller) is not None
        await play(pilot, "enter", "enter")  # Enter on the count again, then confirm
        assert demo_bank.drawers.current(teller) is None
    assert demo_bank.verify().ok


def alice_accounts(bank: Bank) -> list[Any]:
    teller = acting_as(bank, "teller")
    match = bank.customers.search(teller, "alice").matches[0]
    return list(bank.customers.overview(teller, match.id).accounts)


@pilot_test
async def test_a_teller_sends_to_the_customers_own_account_picked_by_name(
    demo_bank: Bank,
) -> None:
    everyday, rainy_day = alice_accounts(demo_bank)[:2]
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, "t")
        choice = app.screen.query_one("#destination", Select)
        assert app.focused is choice
        names = [str(label) for label, _ in choice._options]
        assert any(name.startswith(f"{rainy_day.name} ") for name in names), names
        assert choice.value == rainy_day.number
        await play(pilot, Keys("tab", settle=False), Type("25"), "ctrl+s")
        assert f"To: Alice Martin — {rainy_day.name} " in confirm_text(app)
        await play(pilot, "enter")
    after = {a.id: a.balance for a in alice_accounts(demo_bank)}
    assert after[rainy_day.id] == rainy_day.balance + 2_500
    assert after[everyday.id] == everyday.balance - 2_500


@pilot_test
async def test_a_typed_account_number_names_its_holder_before_the_confirmation(
    demo_bank: Bank,
) -> None:
    teller = acting_as(demo_bank, "teller")
    bob = demo_bank.customers.search(teller, "bob").matches[0]
    main = demo_bank.customers.overview(teller, bob.id).accounts[0]
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, "t")
        app.screen.query_one("#destination", Select).value = "other"
        await play(pilot, settle, Type(main.number), "enter")
        payee = str(app.screen.query_one("#payee", Static).render())
        assert f"Pays Bob Okafor {mask_account_number(main.number)}" == payee
        assert app.focused is app.screen.query_one("#amount", Input)
        await play(pilot, Type("10"), "ctrl+s")
        assert f"To: Bob Okafor — {main.name} {mask_account_number(main.number)}" in (
            confirm_text(app)
        )


@pilot_test
async def test_a_transfer_to_another_number_left_empty_is_refused_before_the_preview(
    demo_bank: Bank,
) -> None:
    """The teller's form is the customer's destination picker: an empty number is asked for
    beside the box, with the cursor in it, before the bank is asked anything."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, "t")
        app.screen.query_one("#destination", Select).value = "other"
        await play(pilot, settle)
        app.screen.query_one("#amount", Input).value = "25"
        await play(pilot, "ctrl+s")
        assert isinstance(app.screen, CashScreen)
        assert "Type the account number to send to" in error_text(app.screen, "destination")
        assert app.focused is app.screen.query_one("#destination-number", Input)
