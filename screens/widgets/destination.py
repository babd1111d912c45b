"""Where money goes, on every form that sends it (a transfer, a standing order): one of the
customer's own accounts by name, or another account by number in a box shown only then.
The bank checks the number and names its holder before anything is confirmed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.text import Text
from textual import on
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountView
from bankapp.errors import ValidationFailed
from screens.base import BankScreen, field_error

OTHER = "other"


def destination_fields(label: str, prompt: str) -> Iterator[Widget]:
    """The picker's widgets, for a form's compose: `yield from destination_fields(...)`."""
    yield Label(label)
    yield Select[str]([], prompt=prompt, id="destination", compact=True)
    yield Input(
        placeholder="account number, e.g. 1234 5678 9012",
        id="destination-number",
        classes="-hidden",
        compact=True,
        max_length=40,
    )
    yield Static("", id="payee", classes="hint -hidden")  # the holder of a typed number
    yield field_error("destination")


def offer_destinations(screen: Screen[object], own: Sequence[AccountView], whose: str = "") -> None:
    """Offer `own` accounts by name (`whose`, e.g. "(theirs)", after each) and "another
    account number"; the first is chosen."""
    destination = screen.query_one("#destination", Select)
    destination.set_options(
        [(f"{a.name} {mask_account_number(a.number)} {whose}".rstrip(), a.number) for a in own]
        + [("Another account number…", OTHER)]
    )
    destination.value = own[0].number if own else OTHER


def destination_changed(screen: Screen[object], value: object) -> None:
    """Show the number box only for "another account number", and put the cursor in it."""
    number_input = screen.query_one("#destination-number", Input)
    number_input.set_class(value != OTHER, "-hidden")
    screen.query_one("#payee", Static).add_class("-hidden")
    if value == OTHER and screen.is_mounted:
        number_input.focus()


def focus_destination(screen: Screen[object]) -> None:
    """A refused destination is put right where it was given: the number box when another
    number was typed, else the choice."""
    number_input = screen.query_one("#destination-number", Input)
    if number_input.display and not number_input.has_class("-hidden"):
        number_input.focus()
    else:
        screen.query_one("#destination", Select).focus()


def chosen_destination(
    screen: Screen[object], own: Sequence[AccountView]
) -> tuple[str, AccountView | None]:
    """The account number chosen and, when it is one of `own`, that account."""
    choice = screen.query_one("#destination", Select).value
    if choice == OTHER:
        typed = screen.query_one("#destination-number", Input).value.strip()
        if not typed:
            raise ValidationFailed("Type the account number to send to.", field="destination")
        return typed, None
    mine = next((a for a in own if a.number == choice), None)
    if mine is None:
        raise ValidationFailed("Choose where the money goes.", field="destination")
    return mine.number, mine


class DestinationForm(BankScreen):
    """A form with the picker: the number box follows the choice, and a refused destination
    takes the cursor where it was given."""

    @on(Select.Changed, "#destination")
    def _destination_changed(self, event: Select.Changed) -> None:
        destination_changed(self, event.value)
        self.destination_chosen(event.value)

    def destination_chosen(self, value: object) -> None:
        """After the choice changed (the number box already follows it): for a form to add to."""

    def show_payee(self, label: str) -> None:
        """Name the holder of the typed number under its box (`find_destination`'s label)."""
        payee = self.query_one("#payee", Static)
        payee.update(Text(f"Pays {label}"))
        payee.remove_class("-hidden")

    def focus_field(self, field: str) -> None:
        if field == "destination":
            focus_destination(self)
        else:
            super().focus_field(field)
