"""Customer search (name, email, phone, username or account number; paged) and the customer
overview (profile, accounts, cards, recent activity) from which a teller takes cash."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountClosePreview, AccountStatus, AccountView, Role
from bankapp.services.customers import MIN_QUERY, CustomerOverview, CustomerPage, SearchCursor
from screens.base import BankScreen, field_error
from screens.cards import CardsScreen
from screens.changes import account_changes
from screens.holds import HoldsScreen
from screens.labels import entry_kind_label
from screens.modals.confirm import ConfirmModal
from screens.modals.prompt import PromptModal
from screens.staff.cash import CashScreen
from screens.staff.common import staff_table
from screens.staff.new_customer import NewCustomerScreen
from screens.statements import StatementScreen
from screens.widgets.cells import cell, cut
from screens.widgets.ledger_table import MEMO_CELLS

SEARCH_PAUSE = 0.3
"""Seconds of no typing before the search box searches by itself."""


class CustomerSearchScreen(BankScreen):
    HELP = (
        "Type part of a name, email, phone, username or account number: the matches appear "
        "as you type, and Enter goes to them. Enter on a row opens the customer; Ctrl+N "
        "loads more results; F2 registers a new customer with a temporary password."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "more", "More results", id="search-more"),
        Binding("f2", "new_customer", "New customer", id="customer-new"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cursor: SearchCursor | None = None
        self.query_text = ""
        self.typing: Timer | None = None  # the search that waits for a pause in typing

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
            return self.cursor is not None
        return True

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        """Search by itself once the typing pauses; the focus stays in the box."""
        self._stop_typing()
        value = event.value
        if len(" ".join(value.split())) >= MIN_QUERY:
            self.typing = self.set_timer(SEARCH_PAUSE, lambda: self._search_for(value))

    @on(Input.Submitted, "#query")
    def _search(self, event: Input.Submitted) -> None:
        """Enter: search now (unless the matches for this text are shown) and go to them."""
        self._stop_typing()
        if event.value == self.query_text and self.results.row_count:
            self.results.focus()
            return
        self._search_for(event.value, go_to_results=True)

    def _stop_typing(self) -> None:
        if self.typing is not None:
            self.typing.stop()
            self.typing = None

    def _search_for(self, text: str, *, go_to_results: bool = False) -> None:
        self.typing = None
        self.clear_errors()
        self.query_text = text
        self.results.clear()
        self.cursor = None
        self._load(None, go_to_results=go_to_results)

    def action_more(self) -> None:
        if self.cursor is not None:
            self._load(self.cursor, go_to_results=True)

    def _load(self, cursor: SearchCursor | None, *, go_to_results: bool) -> None:
        text = self.query_text
        self.call_service(
            lambda: self.bank.customers.search(self.actor, text, cursor=cursor),
            lambda page: self._show(text, page, go_to_results),
            group="search",
        )

    def _show(self, text: str, page: CustomerPage, go_to_results: bool) -> None:
        if text != self.query_text:
            return  # a reply for what was typed before: the newer search shows its own
        for match in page.matches:
            self.results.add_row(
                cell(match.full_name),
                cell(match.username),
                cell(match.email),
                cell(match.phone),
                cell(", ".join(match.accounts)),
                key=str(match.id),
            )
        self.cursor = page.next_cursor
        count = self.results.row_count
        more = " — Ctrl+N for more" if page.next_cursor else ""
        self.query_one("#search-status", Static).update(
            Text(f"{count} customer{'s' if count != 1 else ''} found{more}")
        )
        if count and go_to_results:
            self.results.focus()
        self.refresh_bindings()

    def action_new_customer(self) -> None:
        self.app.push_screen(NewCustomerScreen(), self._registered)

    def _registered(self, user_id: int | None) -> None:
        if user_id is not None:
            self.app.push_screen(CustomerOverviewScreen(user_id))

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(CustomerOverviewScreen(int(event.row_key.value)))


class CustomerOverviewScreen(BankScreen):
    HELP = (
        "The customer's profile, accounts, cards and latest activity. Choose an account, then "
        "C cash deposit, W cash withdrawal, T transfer, P statement, H holds (release one, "
        "return an uncleared check), Z freeze/unfreeze, X close (needs approval when it has "
        "history); O opens a new account, K the customer's cards (issue a debit card, apply "
        "for a credit card for them, freeze). A supervisor lifts a customer's sign-in lock "
        "with U (shown while they are locked out), and asks with R for a forgotten password "
        "to be reset (a second supervisor approves it and hands over a temporary one)."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cash('deposit')", "Cash in", id="cash-deposit"),
        Binding("w", "cash('withdrawal')", "Cash out", id="cash-withdrawal"),
        Binding("t", "cash('transfer')", "Transfer", id="customer-transfer"),
        # The rest are listed on the screen (MORE_KEYS): the footer keeps room for Help and
        # Quit at 80 columns.
        Binding("p", "statement", "Statement", show=False, id="customer-statement"),
        Binding("h", "holds", "Holds", show=False, id="customer-holds"),
        Binding("k", "cards", "Cards", show=False, id="customer-cards"),
        Binding("o", "open_account", "Open account", show=False, id="customer-open"),
        Binding("z", "freeze", "Freeze/unfreeze", show=False, id="customer-freeze"),
        Binding("x", "close_account", "Close", show=False, id="customer-close"),
        Binding("u", "unlock", "Unlock sign-in", show=False, id="customer-unlock"),
        Binding("r", "reset_password", "Reset password", show=False, id="customer-password"),
    ]
    MORE_KEYS: ClassVar[str] = (
        "More: p statement · h holds · k cards · o open account · z freeze · x close · F1 every key"
    )

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.overview: CustomerOverview | None = None
        self.keep_account: int | None = None  # the row chosen again after a reload

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Customer", classes="staff-title", id="customer-name")
            yield Static("", id="customer-profile", classes="staff-status")
            yield Static("", id="customer-last", classes="staff-status -hidden")
            yield staff_table(
                "customer-accounts", "Account", "Number", "Kind", "Status", "Balance", "Available"
            )
            yield Static("", id="customer-cards", classes="staff-status")
            yield Static(Text(self.MORE_KEYS), id="customer-keys", classes="staff-status")
            yield Static("Recent activity", classes="staff-title")
            # Amount before the memo: on an 80-column terminal the memo is what gets cut off.
            yield staff_table("customer-recent", "Date", "Account", "Kind", "Amount", "Memo")
        yield Footer()

    @property
    def accounts(self) -> DataTable[Text]:
        return self.query_one("#customer-accounts", DataTable)

    def on_mount(self) -> None:
        self.title = "Customer overview"
        self.reload()

    def reload(self, then: Callable[[CustomerOverview], None] | None = None) -> None:
        self.call_service(
            lambda: self.bank.customers.overview(self.actor, self.customer_id),
            then or self._show,
            group="overview",
        )

    def changed_elsewhere(self) -> None:
        before = list(self.overview.accounts) if self.overview is not None else []

        def show(overview: CustomerOverview) -> None:
            self._show(overview)
            self.tell_changed(account_changes(before, overview.accounts, self.money))

        self.reload(show)

    def _show(self, overview: CustomerOverview) -> None:
        self.overview = overview
        user = overview.user
        self.query_one("#customer-name", Static).update(Text(user.full_name))
        locked = (
            f" · sign-in locked until {user.locked_until:%Y-%m-%d %H:%M} (U unlocks)"
            if user.locked_until is not None
            else ""
        )
        self.query_one("#customer-profile", Static).update(
            Text(
                f"{user.username} · {user.email} · {user.phone or 'no phone'} · "
                f"{user.address or 'no address'} · {user.status}{locked}"
            )
        )
        self.refresh_bindings()
        self.accounts.clear()
        for account in overview.accounts:
            self.accounts.add_row(
                cell(account.name),
                cell(mask_account_number(account.number)),
                cell(account.kind.value),
                cell(account.status.value),
                cell(self.money(account.balance), right=True),
                cell(self.money(account.available), right=True),
                key=str(account.id),
            )
        ids = [a.id for a in overview.accounts]
        if self.keep_account in ids:
            self.accounts.move_cursor(row=ids.index(self.keep_account))
        cards = ", ".join(
            f"{c.kind} •••• {c.last4} ({c.status}, {c.expiry})" for c in overview.cards
        )
        self.query_one("#customer-cards", Static).update(Text(f"Cards: {cards or 'none'}"))
        recent = self.query_one("#customer-recent", DataTable)
        recent.clear()
        for line in overview.recent:
            recent.add_row(
                cell(f"{line.at:%Y-%m-%d %H:%M}"),
                cell(line.account),
                cell(entry_kind_label(line.kind)),
                cell(self.money(line.amount, plus=True), right=True),
                cut(line.memo, MEMO_CELLS),
            )
        self.accounts.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Unlock is offered to a supervisor while the customer is locked out (the bank
        refuses anyone else whatever this screen shows)."""
        if action == "unlock":
            user = self.overview.user if self.overview is not None else None
            locked = user is not None and user.locked_until is not None
            return locked and self.actor.role == Role.ADMIN
        if action == "reset_password":
            return self.actor.role == Role.ADMIN
        return True

    def action_unlock(self) -> None:
        if self.overview is None:
            return
        user, actor = self.overview.user, self.actor
        self.call_service(
            lambda: self.bank.staff.unlock(actor, user.id),
            lambda _: self._changed(f"{user.full_name} can sign in again."),
            group="account-change",
        )

    def action_reset_password(self) -> None:
        """A supervisor asks for the customer's password to be reset (they forgot it):
        another supervisor approves, and is shown a temporary password once, to hand over."""
        if self.overview is None:
            return
        user, actor = self.overview.user, self.actor
        lines = [
            ("Customer", f"{user.full_name} ({user.username})"),
            ("Then", "Another supervisor approves it and hands over a temporary password."),
            ("At sign-in", "The customer must choose a new password."),
        ]

        def ask(ok: bool | None) -> None:
            if ok:
                self.call_service(
                    lambda: self.bank.staff.reset_password(actor, user.id),
                    lambda item: self._changed(
                        f"Resetting {user.full_name}'s password is request #{item.id}, waiting "
                        "for another supervisor."
                    ),
                    group="account-change",
                )

        self.app.push_screen(
            ConfirmModal(f"Reset {user.username}'s password?", lines, confirm="Ask for the reset"),
            ask,
        )

    def selected_account(self) -> AccountView | None:
        if self.overview is None or not self.overview.accounts:
            return None
        return self.overview.accounts[
            min(self.accounts.cursor_row, len(self.overview.accounts) - 1)
        ]

    def action_cash(self, kind: str) -> None:
        account = self.selected_account()
        if account is None:
            return
        self.app.push_screen(
            CashScreen(account, kind), lambda said: self._after_cash(account, said)
        )

    def _after_cash(self, account: AccountView, said: str | None) -> None:
        """Back from the counter: what happened stays in view until the next task, the
        accounts reload with the same account chosen."""
        if said:
            last = self.query_one("#customer-last", Static)
            last.update(Text(said))
            last.remove_class("-hidden")
        self.keep_account = account.id
        self.reload()

    def action_holds(self) -> None:
        account = self.selected_account()
        if account is not None:
            self.app.push_screen(HoldsScreen(account.id), lambda _: self.reload())

    def action_cards(self) -> None:
        self.app.push_screen(CardsScreen(owner_id=self.customer_id), lambda _: self.reload())

    def action_statement(self) -> None:
        account = self.selected_account()
        if account is not None:
            self.app.push_screen(StatementScreen(account.id))

    def _changed(self, message: str) -> None:
        self.notify(message, markup=False)
        self.reload()

    def action_open_account(self) -> None:
        actor, owner = self.actor, self.customer_id

        def chosen(kind: str | None) -> None:
            if kind:
                self.call_service(
                    lambda: self.bank.accounts.open(actor, kind.strip().lower(), owner_id=owner),
                    lambda a: self._changed(f"Opened {a.name} {mask_account_number(a.number)}."),
                    group="account-change",
                )

        self.app.push_screen(
            PromptModal("Open an account", "Kind: checking, savings or business", value="checking"),
            chosen,
        )

    def action_freeze(self) -> None:
        account, actor = self.selected_account(), self.actor
        if account is None:
            return
        freezing = account.status == AccountStatus.OPEN
        change = self.bank.accounts.freeze if freezing else self.bank.accounts.unfreeze

        def reasoned(reason: str | None) -> None:
            if reason is not None:
                self.call_service(
                    lambda: change(actor, account.id, reason),
                    lambda a: self._changed(f"{a.name} is now {a.status.value}."),
                    group="account-change",
                )

        verb = "Freeze" if freezing else "Unfreeze"
        self.app.push_screen(PromptModal(f"{verb} {account.name}", "Reason (audited)"), reasoned)

    def action_close_account(self) -> None:
        """The bank's preview first: refused with its reason (a balance, money on hold), or
        what closing does; an account with history needs a supervisor, which the
        confirmation says before a request is filed."""
        account, actor = self.selected_account(), self.actor
        if account is None:
            return
        self.call_service(
            lambda: self.bank.accounts.preview_close(actor, account.id),
            lambda preview: self._confirm_close(account, preview),
            group="account-change",
            on_error=self.show_error,
        )

    def _confirm_close(self, account: AccountView, preview: AccountClosePreview) -> None:
        actor = self.actor
        lines = [
            ("Account", f"{account.name} {mask_account_number(account.number)}"),
            ("Balance", self.money(account.balance)),
        ]
        if preview.approval:
            lines.append(("Then", f"{preview.approval} A request is filed for a supervisor."))

            def file(ok: bool | None) -> None:
                if ok:
                    self.call_service(
                        lambda: self.bank.approvals.submit_account_closure(
                            actor, account.id, reason="Customer request"
                        ),
                        lambda item: self._changed(
                            f"Closing {account.name} is request #{item.id}, waiting for a "
                            "supervisor."
                        ),
                        group="account-change",
                    )

            self.app.push_screen(
                ConfirmModal(f"Close {account.name}?", lines, confirm="File the request"), file
            )
            return
        lines.append(("Cards cancelled", ", ".join(preview.cards) or "(none)"))

        def close(ok: bool | None) -> None:
            if ok:
                self.call_service(
                    lambda: self.bank.accounts.close(actor, account.id),
                    lambda a: self._changed(f"{a.name} closed."),
                    group="account-change",
                )

        self.app.push_screen(
            ConfirmModal(f"Close {account.name}?", lines, confirm="Close account"), close
        )
