"""`PayCardModal`: pay what is owed on a credit card from one of the customer's accounts."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.card_types import CardView
from bankapp.domain.money import cents_to_decimal_string
from bankapp.domain.types import (
    CUSTOMER_ACCOUNT_KINDS,
    AccountStatus,
    AccountView,
    EntryResult,
    MovementPreview,
)
from bankapp.errors import BankError, ValidationFailed
from screens.base import ServiceCalls, field_error
from screens.modals.confirm import ConfirmModal


class PayCardModal(ServiceCalls, ModalScreen[EntryResult | None]):
    """Answers the payment's entry, or None when cancelled."""

    CSS_PATH = "../cards.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "pay", "Pay", id="pay"),
    ]

    def __init__(self, card: CardView, accounts: list[AccountView]) -> None:
        super().__init__()
        self.card = card
        self.sources = [
            a
            for a in accounts
            if a.kind in CUSTOMER_ACCOUNT_KINDS and a.status == AccountStatus.OPEN
        ]
        self.idempotency_key = str(uuid.uuid4())
        self.busy = False

    def compose(self) -> ComposeResult:
        card = self.card
        with VerticalScroll(classes="modal-box", id="card-pay-box"):
            yield Static(Text(f"Pay credit card {card.masked}"), classes="box-title")
            yield Static(
                Text(f"Owed {self.money(card.used)} · limit {self.money(card.credit_limit)}"),
                classes="hint",
            )
            yield Label("From account")
            yield Select[int](
                [
                    (f"{a.name} {mask_account_number(a.number)} · {self.money(a.balance)}", a.id)
                    for a in self.sources
                ],
                prompt="Choose an account",
                id="account",
                value=self.sources[0].id if self.sources else Select.BLANK,
            )
            yield field_error("account")
            yield Label("Amount")
            yield Input(
                value=cents_to_decimal_string(card.used) if card.used else "",
                id="amount",
                compact=True,
            )
            yield field_error("amount")
            with Horizontal(classes="buttons"):
                yield Button("Pay (Ctrl+S)", variant="primary", id="pay")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#amount", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#pay")
    def action_pay(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        source = self.query_one("#account", Select).value
        try:
            if not isinstance(source, int):
                raise ValidationFailed("Choose the account to pay from.", field="account")
            amount = self.bank.payments.parse_amount(self.query_one("#amount", Input).value)
        except ValidationFailed as error:
            self.show_error(error)
            return
        card_id = self.card.id
        self.busy = True
        self.call_service(
            lambda: self.bank.cards.preview_pay(self.actor, card_id, source, amount),
            lambda preview: self._confirm(source, amount, preview),
            group="pay",
            on_error=self._refused,
        )

    def _confirm(self, source: int, amount: int, preview: MovementPreview) -> None:
        """Checked by the bank with nothing moved: say what the payment does, pay on Enter."""
        money = self.money
        lines = [
            ("Pay", money(amount)),
            ("Card", self.card.masked),
            ("From account", preview.source.account),
        ]
        if preview.source.balance_after is not None:
            lines.append(("Balance after", money(preview.source.balance_after)))
        if preview.target is not None and preview.target.balance_after is not None:
            lines.append(("Owed after", money(max(0, -preview.target.balance_after))))

        def answered(ok: bool | None) -> None:
            if ok:
                self._pay(source, amount)
            else:
                self.busy = False

        self.app.push_screen(
            ConfirmModal("Confirm: card payment", lines, confirm=f"Pay {money(amount)}"), answered
        )

    def _pay(self, source: int, amount: int) -> None:
        card_id, key = self.card.id, self.idempotency_key
        self.call_service(
            lambda: self.bank.cards.pay(self.actor, card_id, source, amount, idempotency_key=key),
            self._paid,
            group="pay",
            on_error=self._refused,
        )

    def _paid(self, result: EntryResult) -> None:
        self.notify(f"Paid {self.money(result.amount)} to the card.", title="Card payment")
        self.dismiss(result)

    def _refused(self, error: BankError) -> None:
        self.busy = False
        self.show_error(error)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
