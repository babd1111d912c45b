"""Standing orders of one account: the list (pause, resume, cancel) and the form that sets one
up. The form asks the bank for a preview — every rule `create` applies, nothing written —
and confirms the payee by name, the amount, the schedule and the first payment before the
order exists. The services decide who may do each; the screens only ask."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.schedules import MONTHLY, WEEKLY
from bankapp.domain.types import AccountStatus, AccountView
from bankapp.errors import BankError, ValidationFailed
from bankapp.services.standing_orders import (
    NewStandingOrder,
    StandingOrderPreview,
    StandingOrderView,
)
from screens.base import BankScreen, field_error
from screens.changes import order_changes
from screens.modals.confirm import ConfirmModal
from screens.widgets.cells import cell
from screens.widgets.destination import (
    DestinationForm,
    chosen_destination,
    destination_fields,
    offer_destinations,
)

# Fits 80 columns up to "Next"; the highlighted order's last run is also spelled out below.
ORDER_COLUMNS = (
    ("Name", 14),
    ("To", 16),
    ("Amount", 10),
    ("Runs", 13),
    ("Next", 10),
    ("Last run", 34),
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def schedule_text(frequency: str, day: int) -> str:
    """'monthly on the 31st' reads as the last day; weekly days are named."""
    if frequency == WEEKLY:
        return f"weekly, {WEEKDAYS[day - 1] if 1 <= day <= 7 else day}"
    if day >= 31:
        return "monthly, last"
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"monthly, {day}{suffix}"


class StandingOrdersScreen(BankScreen):
    """The orders paying from one account, newest first."""

    HELP = (
        "Recurring transfers from this account. N sets up a new one; P pauses the highlighted "
        "order, R resumes it, X cancels it (after a confirmation). An order short of funds on "
        "its day is skipped, tried again on the next business days, then marked missed: the "
        "last run column says why."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="order-new"),
        Binding("p", "pause", "Pause", id="order-pause"),
        Binding("r", "resume", "Resume", id="order-resume"),
        Binding("x", "cancel_order", "Cancel", id="order-cancel"),
        Binding("f5", "reload", "Reload", show=False, id="reload"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.orders: list[StandingOrderView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="orders-view"):
            yield Static("", id="orders-summary")
            yield DataTable(id="orders", cursor_type="row", zebra_stripes=True)
            yield Static("", id="orders-status")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#orders", DataTable)

    def on_mount(self) -> None:
        self.title = "Standing orders"
        for label, width in ORDER_COLUMNS:
            self.table.add_column(label, width=width)
        self.table.focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()  # back from the form: the new order is listed

    def action_reload(
        self, then: Callable[[list[StandingOrderView]], object] | None = None
    ) -> None:
        account_id = self.account_id

        def load() -> tuple[AccountView, list[StandingOrderView]]:
            account = self.bank.accounts.get(self.actor, account_id)
            return account, self.bank.standing_orders.list_orders(self.actor, account_id)

        def show(loaded: tuple[AccountView, list[StandingOrderView]]) -> None:
            before = list(self.orders)
            self._show(loaded)
            if then is not None:
                then(before)

        self.call_service(load, show, group="orders")

    def changed_elsewhere(self) -> None:
        self.action_reload(
            then=lambda before: self.tell_changed(order_changes(before, self.orders))
        )

    def _show(self, loaded: tuple[AccountView, list[StandingOrderView]]) -> None:
        account, self.orders = loaded
        self.query_one("#orders-summary", Static).update(
            Text.assemble(
                (account.name, "bold"),
                f" {mask_account_number(account.number)} · Available ",
                (self.money(account.available), "bold"),
            )
        )
        row = self.table.cursor_row
        self.table.clear()
        for order in self.orders:
            self.table.add_row(
                cell(order.name),  # typed by a customer: plain text
                cell(f"{order.payee_name} {order.target}"),
                cell(self.money(order.amount), right=True),
                cell(schedule_text(order.frequency, order.day)),
                cell(_next_or_status(order)),
                cell(order.last_result or "—"),
                key=str(order.id),
            )
        if self.orders:
            self.table.move_cursor(row=max(0, min(row, len(self.orders) - 1)))
        self._describe_highlighted()

    @on(DataTable.RowHighlighted, "#orders")
    def _describe_highlighted(self) -> None:
        """The highlighted order in full, below the table (its cells are cut to fit)."""
        status = self.query_one("#orders-status", Static)
        if not self.orders:
            status.update(Text("No standing orders from this account. N sets one up."))
            return
        order = self.orders[min(self.table.cursor_row, len(self.orders) - 1)]
        status.update(
            Text.assemble(
                (order.name, "bold"),
                f" pays {self.money(order.amount)} "
                f"{schedule_text(order.frequency, order.day)} to {order.payee_name} "
                f"{order.target} · {order.status}",
                f" · last run: {order.last_result}" if order.last_result else "",
            )
        )

    def _selected(self) -> StandingOrderView | None:
        if not self.orders:
            self.notify("There is no standing order to act on.", severity="warning")
            return None
        return self.orders[min(self.table.cursor_row, len(self.orders) - 1)]

    def action_new(self) -> None:
        self.app.push_screen(StandingOrderFormScreen(self.account_id))

    def action_pause(self) -> None:
        order = self._selected()
        if order is not None:
            self._change(lambda: self.bank.standing_orders.pause(self.actor, order.id), "Paused")

    def action_resume(self) -> None:
        order = self._selected()
        if order is not None:
            self._change(lambda: self.bank.standing_orders.resume(self.actor, order.id), "Resumed")

    def action_cancel_order(self) -> None:
        order = self._selected()
        if order is None:
            return
        if order.status in ("cancelled", "finished"):
            self.notify(f"The order is {order.status} already.", severity="warning")
            return
        lines = [
            ("Order", order.name),
            ("Pays", f"{self.money(order.amount)} {schedule_text(order.frequency, order.day)}"),
            ("To", f"{order.payee_name} {order.target}"),
            ("Next payment", f"{order.next_due:%Y-%m-%d}" if order.next_due else "none"),
            ("After", "no further payments; this cannot be undone"),
        ]

        def answered(ok: bool | None) -> None:
            if ok:
                self._change(
                    lambda: self.bank.standing_orders.cancel(self.actor, order.id), "Cancelled"
                )

        self.app.push_screen(
            ConfirmModal("Cancel this standing order?", lines, confirm="Cancel the order"),
            answered,
        )

    def _change(self, call: Callable[[], StandingOrderView], done: str) -> None:
        def changed(order: StandingOrderView) -> None:
            self.notify(f"{done}: {order.name}.", markup=False)
            self.action_reload()

        def refused(error: BankError) -> None:
            self.notify(error.message, title="Not done", severity="error", markup=False)
            self.action_reload()

        self.call_service(call, changed, group="order-change", on_error=refused)


class StandingOrderFormScreen(DestinationForm):
    """Set up a recurring transfer: checked by the bank, then confirmed, then created."""

    HELP = (
        "Name the order, choose where it pays (one of your accounts or another account "
        "number), the amount, weekly or monthly and the day (1 to 7 for Monday to Sunday; 1 "
        "to 31 of the month, 31 meaning the last day), the first date and, optionally, an end "
        "date or a number of payments. Ctrl+S checks it and shows what will be set up."
    )
    FORM = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Continue", id="submit"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.accounts: dict[int, AccountView] = {}
        self.creating = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form-box", id="order-box"):
            yield Static("New standing order", classes="box-title")
            yield Label("Name")
            yield Input(placeholder="e.g. Rent", id="name", compact=True)
            yield field_error("name")
            yield from destination_fields("Pay to", "Choose where it pays")
            yield Label("Amount")
            yield Input(placeholder="0.00", id="amount", compact=True)
            yield field_error("amount")
            yield Label("Runs")
            with Horizontal(classes="form-row"):
                yield Select[str](
                    [("Monthly", MONTHLY), ("Weekly", WEEKLY)],
                    value=MONTHLY,
                    allow_blank=False,
                    id="frequency",
                    compact=True,
                )
                yield Input(placeholder="day: 1-31 (or 1-7)", id="day", compact=True)
            yield field_error("frequency")
            yield field_error("day")
            yield Label("Starts · ends (optional) · number of payments (optional)")
            with Horizontal(classes="form-row"):
                yield Input(placeholder="YYYY-MM-DD", id="start-date", compact=True)
                yield Input(placeholder="end YYYY-MM-DD", id="end-date", compact=True)
                yield Input(placeholder="payments", id="payments", compact=True)
            yield field_error("start_date")
            yield field_error("end_date")
            yield field_error("payments")
            with Horizontal(classes="buttons"):
                yield Button("Continue (Ctrl+S)", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "New standing order"
        self.query_one("#start-date", Input).value = f"{self.bank.clock.now().date():%Y-%m-%d}"
        self.call_service(
            lambda: self.bank.accounts.list_accounts(self.actor),
            self._show_accounts,
            group="accounts",
        )
        self.query_one("#name", Input).focus()

    def _show_accounts(self, accounts: list[AccountView]) -> None:
        self.accounts = {a.id: a for a in accounts}
        own = [a for a in accounts if a.status == AccountStatus.OPEN and a.id != self.account_id]
        offer_destinations(self, own)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "payments":
            self.action_submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.leave(lambda: self.dismiss(None))

    def _read_form(self) -> NewStandingOrder:
        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        own = [a for a in self.accounts.values() if a.id != self.account_id]
        number, _mine = chosen_destination(self, own)
        amount = self.bank.payments.parse_amount(text("amount"))
        frequency = str(self.query_one("#frequency", Select).value)
        day = _whole_number(text("day"), "day", "Type the day it runs, e.g. 1.")
        start = _date(text("start-date"), "start_date")
        end = _date(text("end-date"), "end_date") if text("end-date") else None
        payments = (
            _whole_number(
                text("payments"), "payments", "Type how many payments, or leave it empty."
            )
            if text("payments")
            else None
        )
        return NewStandingOrder(
            from_account_id=self.account_id,
            to_account_number=number,
            name=text("name"),
            amount=amount,
            frequency=frequency,
            day=day,
            start_date=start,
            end_date=end,
            payments=payments,
        )

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.creating:
            return
        self.clear_errors()
        try:
            order = self._read_form()
        except ValidationFailed as error:
            self.show_error(error)
            return
        self.call_service(
            lambda: self.bank.standing_orders.preview(self.actor, order),
            lambda preview: self._confirm(order, preview),
            group="preview",
            on_error=self.show_error,
        )

    def _confirm(self, order: NewStandingOrder, preview: StandingOrderPreview) -> None:
        ends = (
            f"after {order.payments} payments"
            if order.payments
            else f"on {order.end_date:%Y-%m-%d}"
            if order.end_date
            else "when you cancel it"
        )
        lines = [
            ("Order", order.name.strip()),
            (
                "From",
                f"{self.accounts[self.account_id].name} {preview.source}"
                if self.account_id in self.accounts
                else preview.source,
            ),
            ("To", preview.payee),
            ("Amount", self.money(order.amount)),
            ("Runs", schedule_text(order.frequency, order.day)),
            ("First payment", f"{preview.first_due:%Y-%m-%d}"),
            ("Ends", ends),
            ("Available now", self.money(preview.available)),
        ]
        self.app.push_screen(
            ConfirmModal("Confirm: new standing order", lines, confirm="Set up the order"),
            lambda ok: self._create(order) if ok else None,
        )

    def _create(self, order: NewStandingOrder) -> None:
        self.creating = True
        self.query_one("#submit", Button).disabled = True

        def created(view: StandingOrderView) -> None:
            self.notify(
                f"Standing order set up: {view.name}, first payment {view.next_due:%Y-%m-%d}."
                if view.next_due
                else "Standing order set up.",
                markup=False,
            )
            self.dismiss(None)

        def refused(error: BankError) -> None:
            self.creating = False
            self.query_one("#submit", Button).disabled = False
            self.show_error(error)

        self.call_service(
            lambda: self.bank.standing_orders.create(self.actor, order),
            created,
            group="create",
            on_error=refused,
        )


def _next_or_status(order: StandingOrderView) -> str:
    if order.status != "active":
        return order.status
    return f"{order.next_due:%Y-%m-%d}" if order.next_due else "—"


def _whole_number(text: str, field: str, message: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise ValidationFailed(message, field=field)
    return int(text)


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("Type the date as YYYY-MM-DD.", field=field) from None
