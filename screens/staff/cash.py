"""`CashScreen`: a cash deposit or withdrawal for one customer account, through the teller's
open drawer; over the approval threshold it is submitted for a supervisor instead."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.account_numbers import mask_account_number
from bankapp.domain import AccountView, EntryResult
from bankapp.errors import BankError
from bankapp.services.approvals import ApprovalView
from screens.base import BankScreen, field_error


class CashScreen(BankScreen):
    HELP = (
        "Count the cash, type the amount and an optional memo, Ctrl+S to post. Amounts over "
        "the approval threshold go to a supervisor and move nothing until approved."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "post", "Post", id="cash-post"),
    ]

    def __init__(self, account: AccountView, kind: str) -> None:
        super().__init__()
        self.account = account
        self.kind = kind  # "deposit" or "withdrawal"
        self.form_key = uuid.uuid4().hex
        self.done = False

    def compose(self) -> ComposeResult:
        verb = "Cash deposit" if self.kind == "deposit" else "Cash withdrawal"
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static(verb, classes="staff-title")
            yield Static(Text(
                f"{self.account.owner_name} — {self.account.name} "
                f"{mask_account_number(self.account.number)}, balance "
                f"{self.money(self.account.balance)}"), classes="staff-status")
            with Vertical(classes="form-box"):
                yield Label("Amount")
                yield Input(placeholder="0.00", id="amount", compact=True)
                yield field_error("amount")
                yield Label("Memo (optional)")
                yield Input(id="memo", compact=True, max_length=140)
                yield field_error("memo")
                with Horizontal(classes="buttons"):
                    yield Button(f"{verb} (Ctrl+S)", variant="primary", id="post")
            yield Static("", id="cash-result")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Cash"
        self.query_one("#amount", Input).focus()

    @on(Input.Submitted, "#amount")
    def _next(self) -> None:
        self.query_one("#memo", Input).focus()

    @on(Input.Submitted, "#memo")
    @on(Button.Pressed, "#post")
    def action_post(self) -> None:
        if self.done:
            return
        self.clear_errors()
        try:
            amount = self.bank.payments.parse_amount(self.query_one("#amount", Input).value)
        except BankError as error:
            self.show_error(error)
            return
        memo, key, account = self.query_one("#memo", Input).value, self.form_key, self.account
        if self.bank.approvals.needs_approval(self.actor, amount):
            self.call_service(
                lambda: self.bank.approvals.submit(self.actor, self.kind, account.id, amount,
                                                   memo=memo, idempotency_key=key),
                self._submitted, group="cash")
            return
        take = self.bank.payments.deposit if self.kind == "deposit" else self.bank.payments.withdraw
        self.call_service(
            lambda: take(self.actor, account.id, amount, memo=memo, idempotency_key=key),
            self._posted, group="cash")

    def _finish(self, message: str) -> None:
        self.done = True
        self.query_one("#cash-result", Static).update(Text(message))
        self.query_one("#post", Button).disabled = True
        self.notify(message, markup=False)

    def _posted(self, result: EntryResult) -> None:
        balance = result.balances.get(self.account.id, 0)
        verb = "Took in" if self.kind == "deposit" else "Paid out"
        self._finish(f"{verb} {self.money(result.amount)} (entry {result.entry_id}). "
                     f"New balance {self.money(balance)}. Escape to go back.")

    def _submitted(self, item: ApprovalView) -> None:
        self._finish(f"Over the approval limit: request #{item.id} for "
                     f"{self.money(item.amount)} waits for a supervisor. Nothing has moved "
                     "yet. Escape to go back.")
