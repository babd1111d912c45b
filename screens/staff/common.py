"""Pieces the staff screens share: their tables, the lines that name what a previewed
movement will do, and the one-time hand-over of a temporary password."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from bankapp.domain.types import MovementPreview, PartyView
from screens.base import ServiceCalls


def staff_table(table_id: str, *columns: str) -> DataTable[Text]:
    table: DataTable[Text] = DataTable(
        id=table_id, cursor_type="row", zebra_stripes=True, classes="staff-table"
    )
    table.add_columns(*columns)
    return table


def party_line(party: PartyView) -> str:
    """`Alice Martin — Everyday •••• 0423`: whose account, which one."""
    return f"{party.holder} — {party.account}"


def movement_lines(
    screen: ServiceCalls, action: str, preview: MovementPreview
) -> list[tuple[str, str]]:
    """What a confirmation says a previewed counter movement will do: the amount, the
    customer's account and its balance after, the recipient by name (never their balance),
    the teller's drawer after the cash, or why it goes to a supervisor instead."""
    money = screen.money
    source = preview.source
    lines = [
        ("Action", f"{action} {money(preview.amount)}"),
        ("To account" if preview.kind == "deposit" else "From account", party_line(source)),
    ]
    if preview.target is not None:
        lines.append(("To", party_line(preview.target)))
    lines.append(("Memo", preview.memo or "(none)"))
    if preview.approval:
        lines += [
            ("Approval", preview.approval),
            ("Then", "it goes to a supervisor; nothing moves until they approve it"),
        ]
        return lines
    if source.balance_after is not None:
        lines.append(("Balance after", money(source.balance_after)))
    if preview.drawer_cash_after is not None:
        lines.append(("Your drawer after", money(preview.drawer_cash_after)))
    return lines


class HandOverModal(ModalScreen[None]):
    """The only time a generated temporary password is shown: to the admin who approved the
    request, to hand over in person. The user must change it at their first sign-in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close-handover"),
    ]

    def __init__(self, username: str, password: str) -> None:
        super().__init__()
        self.username = username
        self.password: str | None = password

    def compose(self) -> ComposeResult:
        password = self.password or ""
        with Vertical(classes="modal-box", id="handover-box"):
            yield Static(Text(f"Temporary password for {self.username}"), classes="box-title")
            yield Static(Text(password, style="bold"), id="handover-password")
            yield Static(
                Text(
                    "Give it to them in person. It is shown only now, and they must change it "
                    "when they first sign in."
                ),
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Handed over", variant="primary", id="handover-close")

    def on_mount(self) -> None:
        self.password = None  # the widget holds the only copy until the modal closes
        self.query_one("#handover-close", Button).focus()

    @on(Button.Pressed, "#handover-close")
    def action_close(self) -> None:
        self.dismiss(None)
