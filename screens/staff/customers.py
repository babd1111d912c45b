"""Customer search (name, email, phone, username or account number; paged) and the customer
overview (profile, accounts, cards, recent activity) from which a teller takes cash."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Static

from bankapp.account_numbers import mask_account_number
from bankapp.services.customers import CustomerOverview, CustomerPage, SearchCursor
from screens.base import BankScreen, field_error
from screens.labels import entry_kind_label
from screens.staff.common import cell, staff_table


class CustomerSearchScreen(BankScreen):
    HELP = (
        "Type part of a name, email, phone, username or account number and press Enter. "
        "Enter on a row opens the customer; N loads more results."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "more", "More results", id="search-more"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cursor: SearchCursor | None = None
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Find a customer", classes="staff-title")
            yield Input(placeholder="name, email, phone or account number", id="query")
            yield field_error("query")
            yield Static("", id="search-status", classes="staff-status")
            yield staff_table("results", "Name", "Username", "Email", "Phone", "Accounts")
        yield Footer()

    @property
    def results(self) -> DataTable[Text]:
        return self.query_one("#results", DataTable)

    def on_mount(self) -> None:
        self.title = "Find a customer"
        self.query_one("#query", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more":
            return self.cursor is not None and not isinstance(self.focused, Input)
        return True

    @on(Input.Submitted, "#query")
    def _search(self, event: Input.Submitted) -> None:
        self.clear_errors()
        self.query_text = event.value
        self.results.clear()
        self.cursor = None
        self._load(None)

    def action_more(self) -> None:
        if self.cursor is not None:
            self._load(self.cursor)

    def _load(self, cursor: SearchCursor | None) -> None:
        text = self.query_text
        self.call_service(lambda: self.bank.customers.search(self.actor, text, cursor=cursor),
                          self._show, group="search")

    def _show(self, page: CustomerPage) -> None:
        for match in page.matches:
            self.results.add_row(
                cell(match.full_name), cell(match.username), cell(match.email),
                cell(match.phone), cell(", ".join(match.accounts)), key=str(match.id),
            )
        self.cursor = page.next_cursor
        count = self.results.row_count
        more = " — N for more" if page.next_cursor else ""
        self.query_one("#search-status", Static).update(
            Text(f"{count} customer{'s' if count != 1 else ''} found{more}"))
        if count:
            self.results.focus()
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(CustomerOverviewScreen(int(event.row_key.value)))


class CustomerOverviewScreen(BankScreen):
    HELP = (
        "The customer's profile, accounts, cards and latest activity. Choose an account, "
        "then C for a cash deposit or W for a cash withdrawal."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cash('deposit')", "Cash deposit", id="cash-deposit"),
        Binding("w", "cash('withdrawal')", "Cash withdrawal", id="cash-withdrawal"),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.overview: CustomerOverview | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Customer", classes="staff-title", id="customer-name")
            yield Static("", id="customer-profile", classes="staff-status")
            yield staff_table("customer-accounts", "Account", "Number", "Kind", "Status",
                              "Balance")
            yield Static("", id="customer-cards", classes="staff-status")
            yield Static("Recent activity", classes="staff-title")
            yield staff_table("customer-recent", "Date", "Account", "Kind", "Memo", "Amount")
        yield Footer()

    @property
    def accounts(self) -> DataTable[Text]:
        return self.query_one("#customer-accounts", DataTable)

    def on_mount(self) -> None:
        self.title = "Customer overview"
        self.reload()

    def reload(self) -> None:
        self.call_service(lambda: self.bank.customers.overview(self.actor, self.customer_id),
                          self._show, group="overview")

    def _show(self, overview: CustomerOverview) -> None:
        self.overview = overview
        user = overview.user
        self.query_one("#customer-name", Static).update(Text(user.full_name))
        self.query_one("#customer-profile", Static).update(Text(
            f"{user.username} · {user.email} · {user.phone or 'no phone'} · "
            f"{user.address or 'no address'} · {user.status}"))
        self.accounts.clear()
        for account in overview.accounts:
            self.accounts.add_row(
                cell(account.name), cell(mask_account_number(account.number)),
                cell(account.kind.value), cell(account.status.value),
                cell(self.money(account.balance), right=True), key=str(account.id),
            )
        cards = ", ".join(f"{c.kind} •••• {c.last4} ({c.status}, {c.expiry})"
                          for c in overview.cards)
        self.query_one("#customer-cards", Static).update(Text(f"Cards: {cards or 'none'}"))
        recent = self.query_one("#customer-recent", DataTable)
        recent.clear()
        for line in overview.recent:
            recent.add_row(cell(f"{line.at:%Y-%m-%d %H:%M}"), cell(line.account),
                           cell(entry_kind_label(line.kind)), cell(line.memo),
                           cell(self.money(line.amount, plus=True), right=True))
        self.accounts.focus()

    def action_cash(self, kind: str) -> None:
        if self.overview is None or not self.overview.accounts:
            return
        from screens.staff.cash import CashScreen

        row = min(self.accounts.cursor_row, len(self.overview.accounts) - 1)
        account = self.overview.accounts[row]
        self.app.push_screen(CashScreen(account, kind), lambda _done: self.reload())
