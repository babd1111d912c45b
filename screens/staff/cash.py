"""`CashScreen`: a cash deposit or withdrawal through the teller's open drawer, or a transfer
on the customer's behalf; over the approval threshold it is submitted for a supervisor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountStatus, AccountView, EntryResult, MovementPreview
from bankapp.errors import ApprovalRequired, BankError
from bankapp.services.approvals import ApprovalView
from screens.base import field_error
from screens.messages import DrawerChanged
from screens.modals.confirm import ConfirmModal
from screens.staff.common import movement_lines
from screens.widgets.destination import (
    OTHER,
    DestinationForm,
    chosen_destination,
    destination_changed,
    destination_fields,
    offer_destinations,
)

VERBS = {
    "deposit": "Cash deposit",
    "withdrawal": "Cash withdrawal",
    "transfer": "Transfer on the customer's behalf",
}


@dataclass(frozen=True)
class CounterRequest:
    """The form as it was checked and confirmed: what is posted."""

    amount: int
    memo: str
    to: str = ""


class CashScreen(DestinationForm):
    HELP = (
        "Count the cash, type the amount and an optional memo, then Ctrl+S: the bank checks "
        "it and a confirmation shows exactly what will happen (the customer, the balance "
        "after, your drawer); Enter posts it. A transfer goes to one of the customer's own "
        "accounts, chosen by name, or to any account number (Enter on the number names its "
        "holder). When the customer's cash and transfers today pass the approval threshold, "
        "it goes to a supervisor and moves nothing until approved."
    )
    FORM = True
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "post", "Continue", id="cash-post"),
    ]

    def __init__(self, account: AccountView, kind: str) -> None:
        super().__init__()
        self.account = account
        self.kind = kind  # "deposit", "withdrawal" or "transfer"
        self.form_key = uuid.uuid4().hex
        self.done = False
        self.posting = False
        self.own: list[AccountView] = []  # the customer's other open accounts, by name

    def compose(self) -> ComposeResult:
        verb = VERBS[self.kind]
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static(verb, classes="staff-title")
            yield Static(
                Text(
                    f"{self.account.owner_name} — {self.account.name} "
                    f"{mask_account_number(self.account.number)}, balance "
                    f"{self.money(self.account.balance)}"
                ),
                classes="staff-status",
            )
            with Vertical(classes="form-box"):
                if self.kind == "transfer":
                    yield from destination_fields("To", "Choose where to send it")
                yield Label("Amount")
                yield Input(placeholder="0.00", id="amount", compact=True)
                yield field_error("amount")
                yield Label("Memo (optional)")
                yield Input(id="memo", compact=True, max_length=140)
                yield field_error("memo")
                with Horizontal(classes="buttons"):
                    yield Button(f"{verb} (Ctrl+S)", variant="primary", id="post")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Transfer" if self.kind == "transfer" else "Cash"
        if self.kind != "transfer":
            self.query_one("#amount", Input).focus()
            return
        owner = self.account.owner_id
        self.call_service(
            lambda: self.bank.accounts.list_accounts(self.actor, owner_id=owner),
            self._show_own_accounts,
            group="accounts",
        )

    def _show_own_accounts(self, accounts: list[AccountView]) -> None:
        """The customer's other open accounts by name, then any account number."""
        self.own = [
            a for a in accounts if a.status == AccountStatus.OPEN and a.id != self.account.id
        ]
        with self.prevent(Select.Changed):  # only a choice the teller makes moves on
            offer_destinations(self, self.own, "(theirs)")
        destination_changed(self, self.query_one("#destination", Select).value)
        if self.own:
            self.query_one("#destination", Select).focus()

    def destination_chosen(self, value: object) -> None:
        if value != OTHER and self.query_one("#destination", Select).has_focus:
            self.query_one("#amount", Input).focus()

    @on(Input.Submitted, "#destination-number")
    def _check_payee(self, event: Input.Submitted) -> None:
        """Name the payee of a typed number (as the customer's own form does), then on."""
        self.clear_errors()
        self.query_one("#payee", Static).add_class("-hidden")
        number = event.value

        def named(label: str) -> None:
            self.show_payee(label)
            self.query_one("#amount", Input).focus()

        self.call_service(
            lambda: self.bank.accounts.find_destination(self.actor, number),
            named,
            group="payee",
            on_error=lambda error: self._refused(BankError(error.message, field="destination")),
        )

    @on(Input.Submitted, "#amount")
    def _to_memo(self) -> None:
        self.query_one("#memo", Input).focus()

    @on(Input.Submitted, "#memo")
    @on(Button.Pressed, "#post")
    def action_post(self) -> None:
        """Check the form by the bank's own preview; show the refusal beside its field, or
        exactly what will happen, to confirm before anything moves."""
        if self.done or self.posting:
            return
        self.clear_errors()
        try:
            amount = self.bank.payments.parse_amount(self.query_one("#amount", Input).value)
        except BankError as error:
            self.show_error(error)
            return
        try:
            to = chosen_destination(self, self.own)[0] if self.kind == "transfer" else ""
        except BankError as error:
            self.show_error(error)
            return
        request = CounterRequest(amount, self.query_one("#memo", Input).value, to)
        payments, actor, account_id = self.bank.payments, self.actor, self.account.id
        verb = "withdraw" if self.kind == "withdrawal" else self.kind
        self.call_service(
            lambda: payments.preview_movement(
                actor,
                verb,
                account_id,
                request.amount,
                to_account_number=request.to,
                memo=request.memo,
            ),
            lambda preview: self._confirm(request, preview),
            group="preview",
            on_error=self._refused,
        )

    def _refused(self, error: BankError) -> None:
        self.show_error(error)

    def _confirm(self, request: CounterRequest, preview: MovementPreview) -> None:
        verb = VERBS[self.kind]
        if preview.approval:
            confirm = "Send for approval"
        else:
            confirm = f"{verb.split(' on ')[0]} {self.money(preview.amount)}"
        self.app.push_screen(
            ConfirmModal(
                f"Confirm: {verb.lower()}",
                movement_lines(self, verb, preview),
                confirm=confirm,
            ),
            lambda ok: self.post(request) if ok else None,
        )

    def post(self, request: CounterRequest) -> None:
        """Post the confirmed request with this form's idempotency key (safe to repeat)."""
        self.posting = True
        key, account, actor, kind, bank = (
            self.form_key,
            self.account,
            self.actor,
            self.kind,
            self.bank,
        )
        amount, memo, to = request.amount, request.memo, request.to

        def post() -> EntryResult | ApprovalView:
            """Post it; if it takes the customer's day over the threshold, submit it for a
            supervisor instead (nothing moved: the refused post rolled back)."""
            try:
                if kind == "transfer":
                    return bank.payments.transfer(
                        actor, account.id, to, amount, memo=memo, idempotency_key=key
                    )
                take = bank.payments.deposit if kind == "deposit" else bank.payments.withdraw
                return take(actor, account.id, amount, memo=memo, idempotency_key=key)
            except ApprovalRequired:
                return bank.approvals.submit(
                    actor,
                    kind,
                    account.id,
                    amount,
                    to_account_number=to,
                    memo=memo,
                    idempotency_key=key,
                )

        self.call_service(
            post, self._done, group="cash", exclusive=False, on_error=self._post_refused
        )

    def _post_refused(self, error: BankError) -> None:
        self.posting = False
        self.show_error(error)

    def _done(self, result: EntryResult | ApprovalView) -> None:
        if isinstance(result, ApprovalView):
            self._submitted(result)
        else:
            self._posted(result)

    def _finish(self, message: str) -> None:
        """Done: back to the customer's overview, which says what happened and shows the
        new balance (the teller's next task starts there)."""
        self.done = True
        self.query_one("#post", Button).disabled = True
        self.app.post_message(DrawerChanged())
        self.dismiss(message)

    def _posted(self, result: EntryResult) -> None:
        balance = result.balances.get(self.account.id, 0)
        verb = {"deposit": "Took in", "withdrawal": "Paid out", "transfer": "Sent"}[self.kind]
        self._finish(
            f"{verb} {self.money(result.amount)} (entry {result.entry_id}). "
            f"New balance {self.money(balance)}."
        )

    def _submitted(self, item: ApprovalView) -> None:
        self._finish(
            f"Over the customer's daily approval limit: request #{item.id} for "
            f"{self.money(item.amount)} waits for a supervisor. Nothing has moved yet."
        )
