"""`ApprovalsScreen`: the maker-checker queue. Admins approve (A) or reject with a reason
(R); tellers see their own requests. The services refuse a maker approving their own item."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from bankapp.errors import BankError
from bankapp.services.approvals import ApprovalPage, ApprovalView
from screens.base import BankScreen
from screens.staff.common import PromptModal, cell, staff_table

KIND_LABELS = {
    "deposit": "Cash deposit",
    "withdrawal": "Cash withdrawal",
    "transfer": "Transfer",
    "account_close": "Close account",
}


class ApprovalsScreen(BankScreen):
    HELP = (
        "Pending requests, oldest last. A approves (the money moves now, if the balance "
        "still allows it), R rejects with a reason, H toggles decided items."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", id="approve"),
        Binding("r", "reject", "Reject", id="reject"),
        Binding("h", "toggle_history", "Pending / all", id="approvals-history"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[ApprovalView] = []
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Approvals", classes="staff-title")
            yield Static("", id="approvals-status", classes="staff-status")
            yield staff_table(
                "approvals",
                "#",
                "Request",
                "Account",
                "Amount",
                "Memo",
                "Maker",
                "Made",
                "Status",
                "Reason",
            )
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#approvals", DataTable)

    def on_mount(self) -> None:
        self.title = "Approvals"
        self.reload()

    def reload(self) -> None:
        status = None if self.show_all else "pending"
        self.call_service(
            lambda: self.bank.approvals.page(self.actor, status=status),
            self._show,
            group="approvals",
        )

    def _show(self, page: ApprovalPage) -> None:
        self.items = list(page.items)
        self.table.clear()
        for item in self.items:
            target = f" → {item.target_label}" if item.target_label else ""
            self.table.add_row(
                cell(item.id),
                cell(KIND_LABELS.get(item.kind, item.kind)),
                cell(item.account_label + target),
                cell(self.money(item.amount) if item.amount else "", right=True),
                cell(item.memo),
                cell(item.maker_name),
                cell(f"{item.created_at:%m-%d %H:%M}"),
                cell(item.status),
                cell(item.reason),
                key=str(item.id),
            )
        which = "requests" if self.show_all else "pending requests"
        self.query_one("#approvals-status", Static).update(Text(f"{len(self.items)} {which}"))
        self.table.focus()

    def _selected(self) -> ApprovalView | None:
        if not self.items:
            return None
        return self.items[min(self.table.cursor_row, len(self.items) - 1)]

    def action_toggle_history(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    def action_approve(self) -> None:
        item = self._selected()
        if item is None:
            return
        self.call_service(
            lambda: self.bank.approvals.approve(self.actor, item.id),
            self._decided,
            group="decide",
            on_error=self._refused,
        )

    def action_reject(self) -> None:
        item = self._selected()
        if item is None:
            return

        def rejected(reason: str | None) -> None:
            if reason is None:
                return
            self.call_service(
                lambda: self.bank.approvals.reject(self.actor, item.id, reason),
                self._decided,
                group="decide",
                on_error=self._refused,
            )

        self.app.push_screen(
            PromptModal(f"Reject request #{item.id}", "Reason (recorded and audited)"), rejected
        )

    def _decided(self, item: ApprovalView) -> None:
        self.notify(f"Request #{item.id} {item.status}.", markup=False)
        self.reload()

    def _refused(self, error: BankError) -> None:
        self.notify(error.message, title="Not done", severity="error", markup=False, timeout=10)
        self.reload()
