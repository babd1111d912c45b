"""`CardRevealModal`: the one time a new card's full number and CVV are shown."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from bankapp.domain.card_types import IssuedCard

WARNING = (
    "Write these down now. This is the only time the full card number and CVV are shown: "
    "the bank does not store them and cannot show them again."
)


class CardRevealModal(ModalScreen[None]):
    """Shows number, expiry, CVV and cardholder once; the caller keeps no copy of them. It
    closes only on "I have noted it" (Enter on the button), never on Escape."""

    CSS_PATH = "../cards.tcss"

    # Escape must not close it as if the details were noted: only "I have noted it" does.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "not_yet", "Not yet", show=False, id="reveal-escape"),
    ]

    def __init__(self, issued: IssuedCard) -> None:
        super().__init__()
        self.issued: IssuedCard | None = issued

    def compose(self) -> ComposeResult:
        issued = self.issued
        assert issued is not None
        card = issued.card
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column()
        table.add_row(Text("Card number"), Text(issued.formatted_pan, style="bold"))
        table.add_row(Text("Expires"), Text(card.expiry))
        table.add_row(Text("CVV"), Text(issued.cvv, style="bold"))
        table.add_row(Text("Cardholder"), Text(card.cardholder_name))
        table.add_row(Text("Type"), Text(f"{card.kind.value.capitalize()} card"))
        with Vertical(classes="modal-box", id="card-reveal-box"):
            yield Static(Text(f"Your new {card.kind.value} card"), classes="box-title")
            yield Static(table, id="card-reveal-details")
            yield Static(Text(WARNING), id="card-reveal-warning")
            with Horizontal(classes="buttons"):
                yield Button("I have noted it", variant="primary", id="close")

    def on_mount(self) -> None:
        self.issued = None  # the widgets hold the only copy until the modal closes
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)

    def action_not_yet(self) -> None:
        self.notify(
            'Write the card number and CVV down first, then choose "I have noted it": they '
            "are never shown again.",
            title="Not closed",
            severity="warning",
            markup=False,
        )
