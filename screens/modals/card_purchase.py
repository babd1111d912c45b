"""`CardPurchaseModal`: a simulated merchant terminal; the card is authorised by the service."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from bankapp.domain.card_types import CardAuthorisation, CardView
from bankapp.errors import BankError, CardDeclined, ValidationFailed
from screens.base import ServiceCalls, field_error


class CardPurchaseModal(ServiceCalls, ModalScreen[CardAuthorisation | None]):
    """Merchant, amount and the card as presented (number, expiry, CVV). A refusal shows a
    "Declined" banner and charges nothing; the form's request id makes a retry post once."""

    CSS_PATH = "../cards.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "pay", "Pay", id="pay"),
    ]

    def __init__(self, card: CardView | None) -> None:
        super().__init__()
        self.card = card
        self.idempotency_key = str(uuid.uuid4())
        self.busy = False

    def compose(self) -> ComposeResult:
        hint = (
            f"Card {self.card.masked} is highlighted. Type its number as a shop's terminal "
            "would read it."
            if self.card
            else "Type the card's number as a shop's terminal would read it."
        )
        with VerticalScroll(classes="modal-box", id="card-purchase-box"):
            yield Static("Card purchase", classes="box-title")
            yield Static(Text(hint), classes="hint")
            yield Static("", id="purchase-declined", classes="-hidden")
            yield Label("Merchant")
            yield Input(placeholder="e.g. Corner Shop", id="merchant", compact=True)
            yield field_error("merchant")
            yield Label("Amount")
            yield Input(placeholder="0.00", id="amount", compact=True)
            yield field_error("amount")
            yield Label("Card number")
            yield Input(placeholder="16 digits", id="pan", compact=True, max_length=23)
            yield field_error("pan")
            with Horizontal(id="purchase-expiry-cvv"):
                with Vertical():
                    yield Label("Expiry (MM/YY)")
                    yield Input(
                        value=self.card.expiry if self.card else "",
                        id="expiry",
                        compact=True,
                        max_length=7,
                    )
                with Vertical():
                    yield Label("CVV")
                    yield Input(id="cvv", password=True, compact=True, max_length=3)
            yield field_error("expiry")
            yield field_error("cvv")
            with Horizontal(classes="buttons"):
                yield Button("Pay (Ctrl+S)", variant="primary", id="pay")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#merchant", Input).focus()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "cvv":
            self.action_pay()
        else:
            self.focus_next()

    @on(Button.Pressed, "#pay")
    def action_pay(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        self._declined(None)
        try:
            amount = self.bank.payments.parse_amount(self._value("amount"))
        except ValidationFailed as error:
            self.show_error(error)
            return
        merchant, pan, expiry, cvv = (
            self._value(name) for name in ("merchant", "pan", "expiry", "cvv")
        )
        key = self.idempotency_key
        self.busy = True
        self.call_service(
            lambda: self.bank.cards.purchase(
                self.actor,
                pan=pan,
                expiry=expiry,
                cvv=cvv,
                merchant=merchant,
                amount=amount,
                idempotency_key=key,
            ),
            self._approved,
            group="purchase",
            on_error=self._refused,
        )

    def _approved(self, result: CardAuthorisation) -> None:
        self.notify(
            f"Approved: {self.money(result.amount)} is held on the card until the purchase "
            f"settles; {self.money(result.available_after)} available now.",
            title="Card purchase",
            markup=False,
        )
        self.dismiss(result)

    def _refused(self, error: BankError) -> None:
        self.busy = False
        self.query_one("#cvv", Input).value = ""
        if isinstance(error, CardDeclined):
            self._declined(error.message)
            return
        self.show_error(error)

    def _declined(self, message: str | None) -> None:
        banner = self.query_one("#purchase-declined", Static)
        banner.set_class(message is None, "-hidden")
        banner.update(Text.assemble(("✗ Declined: ", "bold"), message or ""))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
