"""Account detail: balance and details, and the history paged from the database by keyset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Select, Static

from bankapp.domain.account_numbers import format_account_number
from bankapp.domain.entry_kinds import CUSTOMER_ENTRY_KINDS
from bankapp.domain.types import AccountClosePreview, AccountView, HistoryCursor, HistoryPage
from bankapp.errors import BankError, ValidationFailed
from bankapp.services.history import HistoryFilter
from screens.base import BankScreen, field_error
from screens.changes import account_changes
from screens.holds import HoldsScreen
from screens.labels import account_kind_label, entry_kind_label
from screens.modals.confirm import ConfirmModal
from screens.modals.prompt import PromptModal
from screens.standing_orders import StandingOrdersScreen
from screens.widgets.ledger_table import LedgerTable

PAGE_SIZE = 50


@dataclass(frozen=True)
class PageLoaded:
    generation: int
    page: HistoryPage


class AccountScreen(BankScreen):
    """One account; history loads one page at a time as you scroll down."""

    HELP = (
        "The account's balance, what is available to spend (the balance less money on hold: "
        "uncleared checks, card purchases not yet settled), and its history, newest first "
        "(Enter on a line shows it in full, the whole memo). H "
        "lists the holds, O the standing orders. More rows load as you scroll. N renames "
        "the account; X closes it (only at a zero balance with nothing on hold; its cards are "
        "cancelled with it, and a confirmation says so first). "
        "Filters: dates as YYYY-MM-DD (both inclusive), kind, amount range and memo text; "
        "press Enter in a filter to apply it, Ctrl+X to clear them all."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "holds", "Holds", id="account-holds"),
        Binding("o", "standing_orders", "Orders", id="account-orders"),
        # Rarer actions stay out of the footer (so Quit and Help fit at 80 columns); F1 and
        # the palette list them.
        Binding("n", "rename_account", "Rename", id="account-rename", show=False),
        Binding("x", "close_account", "Close account", id="account-close", show=False),
        Binding("ctrl+f", "focus_filters", "Filter", id="filter"),
        # Priority: a filter field's own Ctrl+X (cut) would take it while the field has focus.
        # Out of the footer too: the status line says so while a filter is set.
        Binding(
            "ctrl+x",
            "clear_filters",
            "Clear filters",
            id="clear-filters",
            priority=True,
            show=False,
        ),
        Binding("f5", "reload", "Reload", id="reload", show=False),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.filters = HistoryFilter()
        self.next_cursor: HistoryCursor | None = None
        self.generation = 0
        # Not `loading`: that is Widget.loading, which would cover the whole screen with a
        # spinner (and its timer) on every page fetched.
        self.fetching = False
        self.rows_loaded = 0
        self.account: AccountView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="account-view"):
            yield Static("", id="account-summary")
            with Horizontal(id="filters"):
                yield Input(placeholder="from YYYY-MM-DD", id="since")
                yield Input(placeholder="to YYYY-MM-DD", id="until")
                yield Select(
                    [(entry_kind_label(kind), kind) for kind in CUSTOMER_ENTRY_KINDS],
                    prompt="Any kind",
                    id="kind",
                )
                yield Input(placeholder="min amount", id="min-amount")
                yield Input(placeholder="max amount", id="max-amount")
                yield Input(placeholder="memo text", id="memo")
            for name in ("since", "until", "min_amount", "max_amount", "memo"):
                yield field_error(name)
            yield LedgerTable(currency=self.bank.settings.currency, id="history")
            yield Static("", id="history-status")
        yield Footer()

    @property
    def table(self) -> LedgerTable:
        return self.query_one("#history", LedgerTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.action_reload()

    def action_reload(self) -> None:
        self._load_summary()
        self._load_first_page()

    def on_screen_resume(self) -> None:
        self._load_summary()  # back from the holds, say: what is available may have changed

    def changed_elsewhere(self) -> None:
        """The summary again (saying what changed), and the first page of history if the
        user is looking at its top (further down, rows do not move under the cursor)."""
        before = [self.account] if self.account is not None else []

        def show(account: AccountView) -> None:
            self._show_summary(account)
            self.tell_changed(account_changes(before, [account], self.money))

        self._load_summary(show)
        if self.table.cursor_row <= 0:
            self._load_first_page()

    def _load_summary(self, then: Callable[[AccountView], None] | None = None) -> None:
        self.call_service(
            lambda: self.bank.accounts.get(self.actor, self.account_id),
            then or self._show_summary,
            group="account",
        )

    def _show_summary(self, account: AccountView) -> None:
        self.account = account
        self.title = f"Account {account.name}"
        parts: list[str | tuple[str, str]] = [
            (account.name, "bold"),
            " · ",
            format_account_number(account.number),
            " · ",
            account_kind_label(account.kind),
            " · ",
            account.status.value,
            "\n",
            "Balance ",
            (self.money(account.balance), "bold"),
            " · Available ",
            (self.money(account.available), "bold"),
        ]
        if account.held:
            parts += [" · On hold ", (self.money(account.held), "bold"), " (H lists it)"]
        if account.credit_limit:
            parts += [f" · Credit limit {self.money(account.credit_limit)}"]
        parts += [f" · Opened {account.opened_at:%Y-%m-%d}"]
        self.query_one("#account-summary", Static).update(Text.assemble(*parts))

    def action_holds(self) -> None:
        self.app.push_screen(HoldsScreen(self.account_id))

    def action_standing_orders(self) -> None:
        self.app.push_screen(StandingOrdersScreen(self.account_id))

    # -- rename and close -----------------------------------------------------------------

    def action_rename_account(self) -> None:
        account_id = self.account_id

        def renamed(name: str | None) -> None:
            if name is None:
                return
            self.call_service(
                lambda: self.bank.accounts.rename(self.actor, account_id, name),
                lambda account: self._changed(f"Renamed to {account.name}."),
                group="account-change",
            )

        current = self.account.name if self.account is not None else ""
        self.app.push_screen(PromptModal("Rename the account", "New name", value=current), renamed)

    def action_close_account(self) -> None:
        """The bank's preview first: refused (a balance, money on hold) with its reason, or
        what closing does, to confirm."""
        account_id = self.account_id
        self.call_service(
            lambda: self.bank.accounts.preview_close(self.actor, account_id),
            self._confirm_close,
            group="account-change",
        )

    def _confirm_close(self, preview: AccountClosePreview) -> None:
        account = preview.account
        if preview.approval:
            self.notify(preview.approval, title="Not done", severity="error", markup=False)
            return
        cards = ", ".join(preview.cards) if preview.cards else "(none)"
        lines = [
            ("Account", f"{account.name} {format_account_number(account.number)}"),
            ("Balance", self.money(account.balance)),
            ("Cards cancelled", cards),
            ("Then", "the account is kept with its history; no money moves in or out again"),
        ]

        def closed(ok: bool | None) -> None:
            if not ok:
                return
            self.call_service(
                lambda: self.bank.accounts.close(self.actor, account.id),
                lambda done: self._changed(f"{done.name} is closed."),
                group="account-change",
            )

        self.app.push_screen(
            ConfirmModal(f"Close {account.name}?", lines, confirm="Close account"), closed
        )

    def _changed(self, message: str) -> None:
        self.notify(message, markup=False)
        self._load_summary()

    # -- paging ---------------------------------------------------------------------------

    def _fetch(self, cursor: HistoryCursor | None) -> None:
        self.fetching = True
        generation, filters = self.generation, self.filters
        self.call_service(
            lambda: PageLoaded(
                generation,
                self.bank.history.page(
                    self.actor, self.account_id, filters=filters, cursor=cursor, limit=PAGE_SIZE
                ),
            ),
            self._add_page,
            group="history",
            on_error=self._page_refused,
        )

    def _load_first_page(self) -> None:
        self.generation += 1
        self.next_cursor = None
        self.rows_loaded = 0
        self.table.clear()
        self._fetch(None)

    @on(LedgerTable.NearEnd)
    def load_more(self) -> None:
        if not self.fetching and self.next_cursor is not None:
            self._fetch(self.next_cursor)

    def _add_page(self, loaded: PageLoaded) -> None:
        if loaded.generation != self.generation:
            return  # the filters changed while this page was loading
        self.fetching = False
        self.next_cursor = loaded.page.next_cursor
        self.table.add_lines(loaded.page.lines)
        self.rows_loaded += len(loaded.page.lines)
        if self.rows_loaded == 0:
            status = "No entries match." if self.filters != HistoryFilter() else "No entries yet."
        elif self.next_cursor is None:
            status = (
                "The only entry."
                if self.rows_loaded == 1
                else (f"All {self.rows_loaded} entries shown.")
            )
        else:
            status = f"{self.rows_loaded} entries loaded; scroll down for more."
        if self.filters != HistoryFilter():
            status += " Filtered: Ctrl+X shows every entry."
        self.query_one("#history-status", Static).update(status)

    def _page_refused(self, error: BankError) -> None:
        self.fetching = False
        self.show_error(error)

    # -- filters --------------------------------------------------------------------------

    def action_focus_filters(self) -> None:
        self.query_one("#since", Input).focus()

    def action_go_back(self) -> None:
        """Escape in a filter field goes back to the history; from there, off the screen."""
        focused = self.focused
        if focused is not None and focused in self.query_one("#filters").children:
            self.table.focus()
            return
        super().action_go_back()

    def action_clear_filters(self) -> None:
        for widget in self.query("#filters Input").results(Input):
            widget.value = ""
        self.query_one("#kind", Select).clear()
        self.clear_errors()
        self.filters = HistoryFilter()
        self._load_first_page()

    @on(Input.Submitted, "#filters Input")
    @on(Select.Changed, "#kind")
    def apply_filters(self) -> None:
        self.clear_errors()
        try:
            filters = self._read_filters()
        except ValidationFailed as error:
            self.show_error(error)
            return
        if filters != self.filters:
            self.filters = filters
            self._load_first_page()

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _read_filters(self) -> HistoryFilter:
        kind = self.query_one("#kind", Select).value
        since, until = (
            _parse_day(self._text("since"), "since"),
            _parse_day(self._text("until"), "until"),
        )
        filters = HistoryFilter(
            since=datetime.combine(since, time()) if since else None,
            until=datetime.combine(until + timedelta(days=1), time()) if until else None,
            kind=kind if isinstance(kind, str) else None,
            min_amount=self._amount("min-amount", "min_amount"),
            max_amount=self._amount("max-amount", "max_amount"),
            memo_contains=self._text("memo") or None,
        )
        filters.conditions()  # the service's own checks (start before end, min below max)
        return filters

    def _amount(self, widget_id: str, field: str) -> int | None:
        text = self._text(widget_id)
        if not text:
            return None
        try:
            return self.bank.payments.parse_amount(text)
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field=field) from None


def _parse_day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"Enter the date as YYYY-MM-DD, for example 2026-11-01 (not {text[:20]!r}).",
            field=field,
        ) from None
