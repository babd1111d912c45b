"""The customer's dashboard: accounts, their total, recent activity, and every action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountStatus, AccountView, HistoryLine
from screens.account import AccountScreen
from screens.base import BankScreen
from screens.cards import CardsScreen
from screens.changes import account_changes
from screens.labels import account_kind_label, entry_kind_label
from screens.messages import SignOutRequested
from screens.modals.open_account import OpenAccountModal
from screens.payment import PaymentScreen
from screens.profile import ProfileScreen
from screens.statements import StatementScreen
from screens.widgets.cells import cut
from screens.widgets.ledger_table import MEMO_CELLS


@dataclass(frozen=True)
class DashboardData:
    accounts: list[AccountView]
    recent: list[tuple[AccountView, HistoryLine]]


class DashboardScreen(BankScreen):
    """Accounts and recent activity; letters run the actions (no text input here)."""

    HELP = (
        "Your accounts with their balances and what is available to spend (less uncleared "
        "checks and card purchases not yet settled), and your latest activity. Move with the "
        "arrow keys and press Enter to open an account's history. Letters start the actions: "
        "D deposits a check, W withdraws cash at the ATM."
    )
    HOME = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "go_back", show=False, id="back"),
        Binding("t", "transfer", "Transfer", id="transfer"),
        Binding("d", "deposit", "Deposit check", id="deposit"),
        Binding("c", "cards", "Cards", id="cards"),
        # The rest are listed on the screen (MORE_KEYS): the footer keeps room for Log out,
        # Quit and Help at 80 columns.
        Binding("w", "withdraw", "ATM cash", show=False, id="withdraw"),
        Binding("o", "open_account", "Open account", show=False, id="open-account"),
        Binding("s", "statements", "Statements", show=False, id="statements"),
        Binding("p", "profile", "Profile", show=False, id="profile"),
        Binding("f5", "refresh", "Refresh", show=False, id="refresh"),
        Binding("ctrl+l", "log_out", "Log out", id="log-out"),
    ]
    MORE_KEYS: ClassVar[str] = (
        "More: w ATM cash · o open account · s statements · p profile · F1 every key"
    )

    def __init__(self) -> None:
        super().__init__()
        self.account_views: list[AccountView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dashboard"):
            yield Static("Your accounts", classes="section-title")
            yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
            yield Static("", id="total")
            yield Static(Text(self.MORE_KEYS), id="dashboard-keys")
            yield Static("Recent activity", classes="section-title")
            yield DataTable(id="recent", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @property
    def accounts_table(self) -> DataTable[Text]:
        return self.query_one("#accounts", DataTable)

    @property
    def recent_table(self) -> DataTable[Text]:
        return self.query_one("#recent", DataTable)

    def on_mount(self) -> None:
        self.title = "Accounts"
        self.accounts_table.add_columns("Account", "Name", "Type", "Status", "Balance", "Available")
        # Amount before the memo: on an 80-column terminal the memo is what gets cut off.
        self.recent_table.add_columns("Date", "Account", "Kind", "Amount", "Memo")
        self.accounts_table.focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_service(self._load, self._show, group="dashboard")

    def changed_elsewhere(self) -> None:
        before = list(self.account_views)

        def show(data: DashboardData) -> None:
            self._show(data)
            self.tell_changed(account_changes(before, data.accounts, self.money))

        self.call_service(self._load, show, group="dashboard")

    def _load(self) -> DashboardData:
        accounts = self.bank.accounts.list_accounts(self.actor)
        by_id = {account.id: account for account in accounts}
        lines = self.bank.history.recent(self.actor, list(by_id), limit=8)
        return DashboardData(accounts, [(by_id[line.account_id], line) for line in lines])

    def _show(self, data: DashboardData) -> None:
        self.account_views = data.accounts
        table = self.accounts_table
        row = table.cursor_row
        table.clear()
        for account in data.accounts:
            status = Text(account.status.value)
            if account.status != AccountStatus.OPEN:
                status.stylize("bold yellow")
            table.add_row(
                Text(mask_account_number(account.number)),
                Text(account.name),
                Text(account_kind_label(account.kind)),
                status,
                Text(self.money(account.balance), justify="right"),
                Text(self.money(account.available), justify="right"),
                key=str(account.id),
            )
        if data.accounts:
            table.move_cursor(row=min(row, len(data.accounts) - 1))
        counted = [a for a in data.accounts if a.status != AccountStatus.CLOSED]
        total = sum(a.balance for a in counted)
        held = sum(a.held for a in counted)
        on_hold = f" · {self.money(held)} on hold" if held else ""
        summary = (
            f"{len(data.accounts)} account(s) · Total {self.money(total)}{on_hold}"
            if data.accounts
            else "You have no accounts yet. Press O to open one."
        )
        self.query_one("#total", Static).update(Text(summary))
        recent = self.recent_table
        recent.clear()
        for account, line in data.recent:
            recent.add_row(
                Text(f"{line.at:%Y-%m-%d %H:%M}"),
                Text(mask_account_number(account.number)),
                Text(entry_kind_label(line.kind)),
                Text(self.money(line.amount, plus=True), justify="right"),
                cut(line.memo, MEMO_CELLS),  # whole in the account's history (Enter on a row)
            )

    @property
    def selected_account(self) -> AccountView | None:
        table = self.accounts_table
        if not self.account_views or table.cursor_row < 0:
            return None
        return self.account_views[min(table.cursor_row, len(self.account_views) - 1)]

    @on(DataTable.RowSelected, "#accounts")
    def _open_detail(self, event: DataTable.RowSelected) -> None:
        account = self.selected_account
        if account is not None:
            self.app.push_screen(AccountScreen(account.id))

    # -- actions --------------------------------------------------------------------------

    def action_open_account(self) -> None:
        self.app.push_screen(OpenAccountModal(), lambda _: self.action_refresh())

    def _payment(self, kind: str) -> None:
        if not self.account_views:
            self.notify("Open an account first (press O).", severity="warning")
            return
        account = self.selected_account
        self.app.push_screen(PaymentScreen(kind, account.id if account else None))

    def action_deposit(self) -> None:
        self._payment("deposit")

    def action_withdraw(self) -> None:
        self._payment("withdraw")

    def action_transfer(self) -> None:
        self._payment("transfer")

    def action_cards(self) -> None:
        self.app.push_screen(CardsScreen())

    def action_statements(self) -> None:
        account = self.selected_account
        if account is None:
            self.notify("Open an account first (press O).", severity="warning")
            return
        self.app.push_screen(StatementScreen(account.id))

    def action_profile(self) -> None:
        self.app.push_screen(ProfileScreen())

    def action_log_out(self) -> None:
        self.post_message(SignOutRequested())
