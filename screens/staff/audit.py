"""`AuditLogScreen`: the audit trail newest first, filtered by user, kind (a prefix ending in
"." matches a family) and dates; Ctrl+N loads older rows; F5 verifies the hash chain."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Static

from bankapp.domain.types import AuditLine
from bankapp.errors import ValidationFailed
from bankapp.services.audit_log import AuditFilter, AuditPage
from bankapp.services.chain_walk import ChainReport
from screens.base import BankScreen, field_error
from screens.modals.details import DetailsModal, audit_line_details
from screens.staff.common import staff_table
from screens.widgets.cells import cell, cut


def parse_day(text: str, field: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("Dates are YYYY-MM-DD.", field=field) from None


class AuditLogScreen(BankScreen):
    HELP = (
        "Filter by user, kind (e.g. login. or money.deposit) and dates, then Enter. "
        "Enter on a row shows the event in full, amounts as money. "
        "Ctrl+N loads older rows. F5 verifies the hash chain, the same check as `bankapp audit "
        "verify`."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "more", "Older rows", id="audit-more"),
        Binding("f5", "verify", "Verify chain", id="audit-verify"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = AuditFilter()
        self.cursor: int | None = None
        self.lines: dict[str, AuditLine] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Audit log", classes="staff-title")
            with Horizontal(classes="staff-row", id="audit-filters"):
                yield Input(placeholder="user", id="audit-user", compact=True)
                yield Input(placeholder="kind or prefix.", id="audit-kind", compact=True)
                yield Input(placeholder="since YYYY-MM-DD", id="audit-since", compact=True)
                yield Input(placeholder="until YYYY-MM-DD", id="audit-until", compact=True)
            yield field_error("since")
            yield Static("", id="audit-status", classes="staff-status")
            yield staff_table("audit", "Seq", "Time", "User", "Kind", "Subject", "Details")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#audit", DataTable)

    def on_mount(self) -> None:
        self.title = "Audit log"
        self._load(None)
        self.table.focus()

    @on(Input.Submitted)
    def _filter(self) -> None:
        self.clear_errors()
        value = {
            name: self.query_one(f"#audit-{name}", Input).value
            for name in ("user", "kind", "since", "until")
        }
        try:
            self.filters = AuditFilter(
                user=value["user"],
                kind=value["kind"],
                since=parse_day(value["since"], "since"),
                until=parse_day(value["until"], "since"),
            )
            self.filters.conditions()
        except ValidationFailed as error:
            self.show_error(error)
            return
        self.table.clear()
        self.lines.clear()
        self._load(None)

    def action_more(self) -> None:
        if self.cursor is not None:
            self._load(self.cursor)

    def _load(self, before: int | None) -> None:
        filters = self.filters
        self.call_service(
            lambda: self.bank.audit_log.page(
                self.actor, filters=filters, before_seq=before, limit=100
            ),
            self._show,
            group="audit",
        )

    @on(DataTable.RowSelected, "#audit")
    def _details(self, event: DataTable.RowSelected) -> None:
        line = self.lines.get(str(event.row_key.value))
        if line is not None:
            details = audit_line_details(line, self.bank.settings.currency)
            self.app.push_screen(DetailsModal(f"Audit event {line.seq}", details))

    def _show(self, page: AuditPage) -> None:
        for line in page.lines:
            self.lines[str(line.seq)] = line
            self.table.add_row(
                cell(line.seq, right=True),
                cell(f"{line.at:%Y-%m-%d %H:%M:%S}"),
                cell(line.actor_name),
                cell(line.kind),
                cell(line.subject),
                cut(line.details, 80),
                key=str(line.seq),
            )
        self.cursor = page.next_cursor
        more = " — Ctrl+N for older rows" if self.cursor else ""
        self.query_one("#audit-status", Static).update(
            Text(f"{self.table.row_count} rows shown{more}")
        )

    def action_verify(self) -> None:
        self.call_service(
            lambda: self.bank.audit_log.verify(self.actor), self._verified, group="audit-verify"
        )

    def _verified(self, report: ChainReport) -> None:
        if report.ok:
            self.notify(
                f"Audit chain verified: {report.events} events, no gaps or edits.",
                title="Verified",
                markup=False,
            )
        else:
            self.notify(
                "; ".join(report.problems),
                title="Audit chain BROKEN",
                severity="error",
                markup=False,
                timeout=30,
            )
