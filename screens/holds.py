"""`HoldsScreen`: the money held on one account — uncleared checks, card purchases waiting to
settle, holds the bank placed — and, for staff, releasing a hold early, returning an
uncleared check (it bounced) and placing a hold. The services decide who may do each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from bankapp.domain.types import AccountView, EntryResult
from bankapp.errors import BankError, ValidationFailed
from bankapp.services.holds import HoldView
from screens.base import BankScreen
from screens.changes import account_changes, hold_changes
from screens.labels import HOLD_KIND_LABELS
from screens.modals.prompt import PromptModal
from screens.widgets.cells import cell

HOLD_COLUMNS = (("#", 6), ("What", 18), ("Amount", 12), ("Since", 11), ("Until", 11), ("About", 40))


class HoldsScreen(BankScreen):
    HELP = (
        "Money held on this account: it counts in the balance but cannot be spent. A check "
        "is held until it clears, a card purchase until it settles. Staff: R releases the "
        "highlighted hold now, X returns an uncleared check (it bounced: the credit is "
        "reversed), N places a hold for a reason, A shows ended holds too."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "release", "Release", id="hold-release"),
        Binding("x", "return_check", "Return check", id="hold-return"),
        Binding("n", "place", "New hold", id="hold-place"),
        Binding("a", "toggle_ended", "Active / all", id="hold-all"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.holds: list[HoldView] = []
        self.account: AccountView | None = None
        self.active_only = True

    STAFF_ACTIONS: ClassVar[frozenset[str]] = frozenset({"release", "return_check", "place"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Staff keys are not offered to a customer (the services would refuse them)."""
        return self.actor.is_staff or action not in self.STAFF_ACTIONS

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="holds-view"):
            yield Static("", id="holds-summary")
            yield DataTable(id="holds", cursor_type="row", zebra_stripes=True)
            yield Static("", id="holds-status")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#holds", DataTable)

    def on_mount(self) -> None:
        self.title = "Holds"
        for label, width in HOLD_COLUMNS:
            self.table.add_column(label, width=width)
        self.table.focus()
        self.reload()

    def reload(
        self, then: Callable[[AccountView | None, list[HoldView]], object] | None = None
    ) -> None:
        account_id, active_only = self.account_id, self.active_only

        def load() -> tuple[AccountView, list[HoldView]]:
            account = self.bank.accounts.get(self.actor, account_id)
            holds = self.bank.holds.list_holds(self.actor, account_id, active_only=active_only)
            return account, holds

        def show(loaded: tuple[AccountView, list[HoldView]]) -> None:
            before_account, before = self.account, list(self.holds)
            self._show(loaded)
            if then is not None:
                then(before_account, before)

        self.call_service(load, show, group="holds")

    def changed_elsewhere(self) -> None:
        def tell(before_account: AccountView | None, before: list[HoldView]) -> None:
            lines = hold_changes(before, self.holds, self.money)
            if before_account is not None and self.account is not None:
                lines += account_changes([before_account], [self.account], self.money)
            self.tell_changed(lines)

        self.reload(then=tell)

    def _show(self, loaded: tuple[AccountView, list[HoldView]]) -> None:
        self.account, self.holds = loaded
        account = self.account
        self.query_one("#holds-summary", Static).update(
            Text.assemble(
                (account.name, "bold"),
                " · Balance ",
                (self.money(account.balance), "bold"),
                " · On hold ",
                (self.money(account.held), "bold"),
                " · Available ",
                (self.money(account.available), "bold"),
            )
        )
        row = self.table.cursor_row
        self.table.clear()
        for hold in self.holds:
            ended = hold.status != "held"
            self.table.add_row(
                cell(hold.id),
                cell(HOLD_KIND_LABELS.get(hold.kind, hold.kind) + (f" ({hold.status})" * ended)),
                cell(self.money(hold.amount), right=True),
                cell(f"{hold.created_at:%Y-%m-%d}"),
                cell(f"{hold.release_at:%Y-%m-%d}" if hold.release_at else ""),
                cell(hold.merchant or hold.reason),  # typed by someone: plain text
                key=str(hold.id),
            )
        if self.holds:
            self.table.move_cursor(row=max(0, min(row, len(self.holds) - 1)))
        which = "holds" if not self.active_only else "active holds"
        self.query_one("#holds-status", Static).update(
            Text(f"{len(self.holds)} {which}" if self.holds else f"No {which}.")
        )

    def _selected(self) -> HoldView | None:
        if not self.holds:
            self.notify("There is no hold to act on.", severity="warning")
            return None
        return self.holds[min(self.table.cursor_row, len(self.holds) - 1)]

    def action_toggle_ended(self) -> None:
        self.active_only = not self.active_only
        self.reload()

    def action_release(self) -> None:
        hold = self._selected()
        if hold is None:
            return
        self._with_reason(
            f"Release hold #{hold.id} ({self.money(hold.amount)}) now",
            lambda reason: self.bank.holds.release(self.actor, hold.id, reason),
            "Released",
        )

    def action_return_check(self) -> None:
        hold = self._selected()
        if hold is None:
            return
        if hold.kind != "deposit" or hold.status != "held":
            self.notify(
                "Only a check that has not cleared can be returned; choose its hold.",
                severity="warning",
            )
            return
        self._with_reason(
            f"Return the check of hold #{hold.id} ({self.money(hold.amount)}): the credit is "
            "reversed",
            lambda reason: self.bank.payments.return_deposit(self.actor, hold.id, reason),
            "Returned",
        )

    def action_place(self) -> None:
        def amount_given(text: str | None) -> None:
            if text is None:
                return
            try:
                cents = self.bank.payments.parse_amount(text)
            except ValidationFailed as error:
                self.notify(error.message, severity="error", markup=False)
                return
            until = self.bank.clock.now() + timedelta(days=7)
            self._with_reason(
                f"Hold {self.money(cents)} until {until:%Y-%m-%d}",
                lambda reason: self.bank.holds.place(
                    self.actor, self.account_id, cents, reason, until=until
                ),
                "Placed",
            )

        self.app.push_screen(PromptModal("Place a hold", "Amount to hold"), amount_given)

    def _with_reason(
        self, title: str, call: Callable[[str], HoldView | EntryResult], done: str
    ) -> None:
        def given(reason: str | None) -> None:
            if reason is None:
                return
            self.call_service(
                lambda: call(reason),
                lambda result: self._done(done, result),
                group="hold-action",
                on_error=self._refused,
            )

        self.app.push_screen(PromptModal(title, "Reason (recorded and audited)"), given)

    def _done(self, done: str, result: HoldView | EntryResult) -> None:
        self.notify(f"{done}.", markup=False)
        self.reload()

    def _refused(self, error: BankError) -> None:
        self.notify(error.message, title="Not done", severity="error", markup=False, timeout=10)
        self.reload()
