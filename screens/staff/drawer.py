"""`DrawerScreen`: the teller's cash drawer — open it with opening cash counted from the vault,
see the cash on hand, close it by counting: expected, counted and the difference (over or
short). Opening cash over the maximum, or a count off by more than the tolerance, is sent to a
supervisor (the drawer takes no cash while its count waits)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from bankapp.domain.types import DrawerClosePreview
from bankapp.errors import ApprovalRequired, BankError
from bankapp.services.approvals import ApprovalView
from bankapp.services.drawers import DrawerView
from screens.base import BankScreen, field_error
from screens.messages import DrawerChanged
from screens.modals.confirm import ConfirmModal


def count_to_cents(screen: BankScreen, text: str) -> int:
    """A counted amount: zero is allowed (an empty drawer), anything else parses as money."""
    if text.strip().lstrip("$") in {"0", "0.0", "0.00"}:
        return 0
    return screen.bank.payments.parse_amount(text)


class DrawerScreen(BankScreen):
    HELP = (
        "Open: count the opening cash you were given from the vault and type it. Close: count "
        "the cash in the drawer and type it; a confirmation shows what the books expect, your "
        "count and the difference, and Enter closes the drawer: the cash goes back to the "
        "vault and the difference is posted to over/short and audited. Opening cash over the "
        "maximum or a difference over the tolerance goes to a supervisor for approval."
    )
    FORM = True
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Open / close", id="drawer-submit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drawer: DrawerView | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Cash drawer", classes="staff-title")
            yield Static("Loading…", id="drawer-status", classes="staff-status")
            with Vertical(classes="form-box", id="drawer-form"):
                yield Label("", id="drawer-label")
                yield Input(placeholder="0.00", id="drawer-amount", compact=True)
                yield field_error("amount")
                with Horizontal(classes="buttons"):
                    yield Button("", variant="primary", id="drawer-submit")
            yield Static("", id="drawer-result")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Cash drawer"
        self.refresh_drawer()

    def refresh_drawer(self) -> None:
        self.call_service(
            lambda: self.bank.drawers.current(self.actor), self._show, group="drawer-load"
        )

    def _show(self, drawer: DrawerView | None) -> None:
        self.drawer, self.loaded = drawer, True
        self.app.post_message(DrawerChanged(drawer, read=True))
        status = self.query_one("#drawer-status", Static)
        if drawer is None:
            status.update(
                Text("Your drawer is closed. You cannot take or pay out cash until you open it.")
            )
            self.query_one("#drawer-label", Label).update("Opening cash (counted)")
            self.query_one("#drawer-submit", Button).label = "Open drawer (Ctrl+S)"
        else:
            waiting = " — its count waits for a supervisor" if drawer.status == "closing" else ""
            status.update(
                Text(
                    f"Drawer {drawer.id} open since {drawer.opened_at:%H:%M} — opening cash "
                    f"{self.money(drawer.opening_cash)}, cash on hand "
                    f"{self.money(drawer.cash_on_hand)}{waiting}"
                )
            )
            self.query_one("#drawer-label", Label).update("Cash counted in the drawer")
            self.query_one("#drawer-submit", Button).label = "Close drawer (Ctrl+S)"
        amount = self.query_one("#drawer-amount", Input)
        amount.value = ""
        amount.focus()

    @on(Input.Submitted, "#drawer-amount")
    @on(Button.Pressed, "#drawer-submit")
    def action_submit(self) -> None:
        if not self.loaded:
            return
        self.clear_errors()
        text = self.query_one("#drawer-amount", Input).value
        try:
            cents = count_to_cents(self, text)
        except BankError as error:
            self.show_error(error)
            return
        drawer = self.drawer
        if drawer is None:
            self.call_service(
                lambda: self.bank.drawers.open_drawer(self.actor, cents),
                self._drawer_opened,
                group="drawer-write",
                on_error=lambda error: self._needs_supervisor(error, cents, opening=True),
            )
        elif drawer.status == "closing":
            self.notify("This drawer's count waits for a supervisor.", severity="warning")
        else:
            self.call_service(
                lambda: self.bank.drawers.preview_close(self.actor, cents),
                self._confirm_close,
                group="drawer-write",
                on_error=self._refused,
            )

    def _refused(self, error: BankError) -> None:
        """Beside the count (the bank names it `counted_cash`), with the focus there."""
        self.show_error(BankError(error.message, field=error.field and "amount"))

    def _confirm_close(self, preview: DrawerClosePreview) -> None:
        """Expected, counted and the difference, checked by the bank; Enter closes the drawer,
        or sends the count to a supervisor when the difference is over the tolerance."""
        difference = preview.difference
        verdict = "balanced" if difference == 0 else ("over" if difference > 0 else "short")
        lines = [
            ("Drawer", str(preview.drawer_id)),
            ("Opening cash", self.money(preview.opening_cash)),
            ("Expected cash", self.money(preview.expected_cash)),
            ("Counted cash", self.money(preview.counted_cash)),
            ("Difference", f"{self.money(difference, plus=True)} ({verdict})"),
        ]
        counted = preview.counted_cash
        if preview.approval:
            lines += [
                ("Approval", preview.approval),
                ("Meanwhile", "the drawer takes no cash until a supervisor decides"),
            ]
            title, confirm = "Send the count to a supervisor?", "Send for approval"
        else:
            then = "the counted cash goes back to the vault"
            if difference:
                gap = "shortage" if difference < 0 else "overage"
                then += f"; the {self.money(abs(difference))} {gap} is posted to over/short"
            lines.append(("Then", then))
            short = f" {self.money(-difference)} short" if difference < 0 else ""
            title, confirm = f"Close drawer {preview.drawer_id}{short}?", "Close drawer"

        def answered(ok: bool | None) -> None:
            if not ok:
                return
            if preview.approval:
                self.call_service(
                    lambda: self.bank.approvals.submit_drawer_close(self.actor, counted),
                    self._sent,
                    group="drawer-write",
                    on_error=self._refused,
                )
                return
            self.call_service(
                lambda: self.bank.drawers.close_drawer(self.actor, counted),
                self._drawer_closed,
                group="drawer-write",
                on_error=lambda error: self._needs_supervisor(error, counted, opening=False),
            )

        self.app.push_screen(ConfirmModal(title, lines, confirm=confirm), answered)

    def _needs_supervisor(self, error: BankError, cents: int, *, opening: bool) -> None:
        """Over the opening-cash maximum or the count tolerance: offer to send it for approval."""
        if not isinstance(error, ApprovalRequired):
            self.show_error(error)
            return
        what = "Opening cash" if opening else "Counted cash"
        lines = [(what, self.money(cents)), ("Why", error.message)]
        if not opening:
            lines.append(("Meanwhile", "the drawer takes no cash until a supervisor decides"))

        def send(ok: bool | None) -> None:
            if not ok:
                return
            submit = (
                self.bank.approvals.submit_opening_cash
                if opening
                else self.bank.approvals.submit_drawer_close
            )
            self.call_service(lambda: submit(self.actor, cents), self._sent, group="drawer-write")

        self.app.push_screen(
            ConfirmModal("Send to a supervisor?", lines, confirm="Send for approval"), send
        )

    def _sent(self, item: ApprovalView) -> None:
        self.query_one("#drawer-result", Static).update(
            Text(
                f"Request #{item.id} ({item.label}, {self.money(item.amount)}) waits for a "
                "supervisor."
            )
        )
        self.refresh_drawer()

    def _drawer_opened(self, drawer: DrawerView) -> None:
        self.query_one("#drawer-result", Static).update(
            Text(f"Drawer {drawer.id} opened with {self.money(drawer.opening_cash)}.")
        )
        self._show(drawer)

    def _drawer_closed(self, drawer: DrawerView) -> None:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column(justify="right")
        difference = drawer.difference or 0
        verdict = "balanced" if difference == 0 else ("over" if difference > 0 else "SHORT")
        for label, value in (
            ("Opening cash", self.money(drawer.opening_cash)),
            ("Expected cash", self.money(drawer.expected_cash or 0)),
            ("Counted cash", self.money(drawer.counted_cash or 0)),
            ("Difference", f"{self.money(difference, plus=True)} ({verdict})"),
        ):
            table.add_row(Text(label), Text(value))
        self.query_one("#drawer-result", Static).update(table)
        self._show(None)
