"""`ApprovalsScreen`: the maker-checker queue. Admins approve (A) or reject with a reason
(R) money, drawer, closing and access requests; tellers see their own requests and decide
credit card applications within their limit. A credit application is approved with the limit
the checker types. An approval that makes a password shows it once, to hand over. The
services refuse whoever may not decide (the maker, who set the maker up, the subject)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from bankapp.errors import BankError
from bankapp.services.approvals import ApprovalPage, ApprovalPreview, ApprovalView
from screens.base import BankScreen, ServiceCalls
from screens.modals.confirm import ConfirmModal
from screens.modals.details import DetailsModal
from screens.modals.prompt import PromptModal
from screens.staff.common import HandOverModal, party_line, staff_table
from screens.widgets.cells import cell, cut

CREDIT_CARD = "credit_card"


class ApprovalsScreen(BankScreen):
    HELP = (
        "Pending requests, newest first. A shows what approving will do (checked by the bank "
        "now: the accounts and their balances after, the drawer) and Enter approves it, if "
        "the balance still allows it; a credit application asks for the limit to grant. R "
        "rejects with a reason, H toggles decided items, Enter shows a request in full. A "
        "password an approval makes is shown once."
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
                "For",
                "Amount",
                "Maker",  # who asked comes before the free text: at 80 columns the memo is cut
                "Made",
                "Status",
                "Memo",
                "Reason",
            )
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#approvals", DataTable)

    def on_mount(self) -> None:
        self.title = "Approvals"
        self.reload()

    def reload(self, then: Callable[[ApprovalPage], None] | None = None) -> None:
        status = None if self.show_all else "pending"
        self.call_service(
            lambda: self.bank.approvals.page(self.actor, status=status),
            then or self._show,
            group="approvals",
        )

    def changed_elsewhere(self) -> None:
        before = {item.id for item in self.items}

        def show(page: ApprovalPage) -> None:
            self._show(page)
            now = {item.id for item in page.items}
            lines = []
            if now - before:
                lines.append(f"{len(now - before)} new request(s) in the queue")
            if before - now and not self.show_all:
                lines.append(f"{len(before - now)} request(s) decided or withdrawn elsewhere")
            self.tell_changed(lines)

        self.reload(show)

    def _show(self, page: ApprovalPage) -> None:
        self.items = list(page.items)
        self.table.clear()
        for item in self.items:
            self.table.add_row(
                cell(item.id),
                cell(item.label),
                cell(what_for(item)),
                cell(self.money(item.amount) if item.amount else "", right=True),
                cell(item.maker_name),
                cell(f"{item.created_at:%m-%d %H:%M}"),
                cell(item.status),
                cell(cut(item.memo, 40)),
                cell(cut(item.reason, 40)),
                key=str(item.id),
            )
        which = "requests" if self.show_all else "pending requests"
        self.query_one("#approvals-status", Static).update(Text(f"{len(self.items)} {which}"))
        self.table.focus()

    def _selected(self) -> ApprovalView | None:
        if not self.items:
            return None
        return self.items[min(self.table.cursor_row, len(self.items) - 1)]

    @on(DataTable.RowSelected, "#approvals")
    def _details(self) -> None:
        item = self._selected()
        if item is not None:
            self.app.push_screen(
                DetailsModal(f"Request #{item.id}", approval_details(item, self.money))
            )

    def action_toggle_history(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    def action_approve(self) -> None:
        item = self._selected()
        if item is None:
            return
        if item.kind == CREDIT_CARD:
            self._approve_credit(item)
            return
        self.call_service(
            lambda: self.bank.approvals.preview_approve(self.actor, item.id),
            self._confirm,
            group="decide",
            on_error=self._refused,
        )

    def _confirm(self, preview: ApprovalPreview) -> None:
        """What approving will do, checked by the bank; Enter approves it."""
        item = preview.item

        def approved(ok: bool | None) -> None:
            if not ok:
                return
            self.call_service(
                lambda: self.bank.approvals.approve(self.actor, item.id),
                self._decided,
                group="decide",
                on_error=self._refused,
            )

        self.app.push_screen(
            ConfirmModal(
                f"Approve request #{item.id}?",
                approval_lines(self, preview),
                confirm=f"Approve #{item.id}",
            ),
            approved,
        )

    def _approve_credit(self, item: ApprovalView) -> None:
        settings = self.bank.settings

        def granted(text: str | None) -> None:
            if text is None:
                return
            try:
                limit = self.bank.payments.parse_amount(text)
            except BankError as error:
                self._refused(error)
                return
            self.call_service(
                lambda: self.bank.approvals.approve(self.actor, item.id, credit_limit=limit),
                self._decided,
                group="decide",
                on_error=self._refused,
            )

        self.app.push_screen(
            PromptModal(
                f"Approve credit card application #{item.id} of {item.target_user}",
                "Credit limit to grant",
                detail=(
                    f"Asked for {self.money(item.amount)}. Between "
                    f"{self.money(settings.credit_limit_min_cents)} and "
                    f"{self.money(settings.credit_limit_max_cents)}; over "
                    f"{self.money(settings.teller_credit_approval_max_cents)} an admin decides."
                ),
                value=f"{item.amount / 100:.2f}",
            ),
            granted,
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
        if item.temporary_password:
            # The hand-over modal says the request was approved; a toast beside it would only
            # time out while the password is being read.
            self.app.push_screen(
                HandOverModal(item.target_user, item.temporary_password), lambda _: self.reload()
            )
            return
        self.notify(f"Request #{item.id} {item.status}.", markup=False)
        self.reload()

    def _refused(self, error: BankError) -> None:
        self.notify(error.message, title="Not done", severity="error", markup=False, timeout=10)
        self.reload()


def approval_lines(screen: ServiceCalls, preview: ApprovalPreview) -> list[tuple[str, str]]:
    """What a confirmation says approving will do: the request, who made it, and (checked by
    carrying it out and rolling back) the accounts it moves money in and the drawer."""
    item, money = preview.item, screen.money
    amount = f" {money(item.amount)}" if item.amount else ""
    lines = [("Request", f"#{item.id} {item.label}{amount}"), ("Made by", item.maker_name)]
    if item.target_user:
        lines.append(("For", item.target_user))
    if item.memo:
        lines.append(("Memo", item.memo))
    for party in preview.parties:
        lines.append(("Account", party_line(party)))
        if party.balance_after is not None:
            lines.append(("Balance after", money(party.balance_after)))
    if preview.drawer_difference is not None:
        difference = preview.drawer_difference
        verdict = "balanced" if difference == 0 else ("over" if difference > 0 else "short")
        lines.append(("Difference", f"{money(difference, plus=True)} ({verdict})"))
    if preview.drawer_cash_after is not None:
        lines.append(("Drawer after", money(preview.drawer_cash_after)))
    return lines


def what_for(item: ApprovalView) -> str:
    """What a request is about: the account (and where the money goes), or the person."""
    target = f" → {item.target_label}" if item.target_label else ""
    return item.account_label + target or item.target_user


def approval_details(item: ApprovalView, money: Callable[[int], str]) -> list[tuple[str, str]]:
    """A request's fields, labelled, the memo and reason whole, amounts as money."""
    lines = [
        ("Request", f"#{item.id} {item.label}"),
        ("Status", item.status),
        ("For", what_for(item) or "—"),
        ("Amount", money(item.amount) if item.amount else "—"),
    ]
    if item.decided_amount is not None and item.decided_amount != item.amount:
        lines.append(("Amount granted", money(item.decided_amount)))
    lines += [
        ("Memo", item.memo or "—"),
        ("Made by", f"{item.maker_name}, {item.created_at:%Y-%m-%d %H:%M:%S}"),
    ]
    if item.drawer_id is not None:
        lines.append(("Drawer", str(item.drawer_id)))
    if item.decided_at is not None:
        lines.append(("Decided by", f"{item.checker_name}, {item.decided_at:%Y-%m-%d %H:%M:%S}"))
    if item.reason:
        lines.append(("Reason", item.reason))
    if item.entry_id is not None:
        lines.append(("Entry", f"#{item.entry_id}"))
    return lines
