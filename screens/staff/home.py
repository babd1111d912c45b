"""`StaffHomeScreen`: where a teller or admin lands after sign-in; one key per task, the
drawer's state, how many requests wait for approval, and the customers this user opened
lately (1-5 opens one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from bankapp.domain.types import Role
from bankapp.services.customers import RecentCustomerLine
from bankapp.services.drawers import DrawerView
from screens.base import BankScreen
from screens.changes import count_change
from screens.messages import DrawerChanged, SignOutRequested
from screens.staff.approvals import ApprovalsScreen
from screens.staff.audit import AuditLogScreen
from screens.staff.customers import CustomerOverviewScreen, CustomerSearchScreen
from screens.staff.drawer import DrawerScreen
from screens.staff.report import EndOfDayScreen
from screens.staff.settings import SettingsScreen
from screens.staff.staff_users import StaffUsersScreen

TELLER_TASKS = (
    ("f", "find_customer", "Find a customer (then cash in / out)"),
    ("d", "cash_drawer", "Cash drawer: open or close"),
    ("a", "approvals", "Approvals queue"),
    ("r", "day_report", "End-of-day report"),
)
ADMIN_TASKS = (
    ("s", "staff_users", "Staff users"),
    ("l", "audit_log", "Audit log"),
    ("i", "settings", "Installation settings (limits, rates, timeouts)"),
)
RECENT_KEYS = "12345"


@dataclass(frozen=True)
class DeskState:
    drawer: DrawerView | None
    pending: int
    recent: tuple[RecentCustomerLine, ...] = ()


class StaffHomeScreen(BankScreen):
    """The staff menu. Admin-only tasks are listed for admins; the services refuse them to
    anyone else whatever the screen shows."""

    HELP = "Choose a task with its key. Escape on any task returns here."
    HOME = True  # Escape stays here: the bottom of the staff's screens (Ctrl+L logs out)
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "go_back", show=False, id="back"),  # nowhere to go back to
        # The tasks are listed on the screen itself; the footer keeps room for Log out,
        # Quit and Help at 80 columns (the palette still finds every task by name).
        *(
            Binding(
                key,
                action,
                label.split(":")[0].split(" (")[0],
                show=False,
                id=f"staff-{action}",
            )
            for key, action, label in TELLER_TASKS + ADMIN_TASKS
        ),
        *(
            Binding(
                key, f"recent({n})", f"Recent customer {key}", show=False, id=f"staff-recent-{key}"
            )
            for n, key in enumerate(RECENT_KEYS)
        ),
        Binding("ctrl+l", "log_out", "Log out", id="log-out"),
    ]

    recent: tuple[RecentCustomerLine, ...] = ()
    pending: int | None = None  # requests pending, as last shown

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="staff-home"):
            yield Static(self._greeting(), id="staff-greeting", classes="staff-title")
            yield Static("", id="staff-desk", classes="staff-status")
            yield Static(self._menu(), id="staff-menu")
            yield Static("Recent customers", classes="staff-title")
            yield Static("", id="staff-recent")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Staff"
        self.refresh_desk()

    def on_screen_resume(self) -> None:
        self.refresh_desk()

    def changed_elsewhere(self) -> None:
        self.refresh_desk(say_what_changed=True)

    def refresh_desk(self, *, say_what_changed: bool = False) -> None:
        if self.session.signed_in is None:  # resumed while signing out
            return
        actor = self.actor

        def load() -> DeskState:
            pending = self.bank.approvals.page(actor, limit=200).items
            recent = self.bank.customers.recent(actor, limit=len(RECENT_KEYS))
            return DeskState(self.bank.drawers.current(actor), len(pending), recent)

        before = self.pending

        def show(state: DeskState) -> None:
            self._show_desk(state)
            if say_what_changed and before is not None:
                self.tell_changed(count_change("Requests pending", before, state.pending))

        self.call_service(load, show, group="desk")

    def _show_desk(self, state: DeskState) -> None:
        self.app.post_message(DrawerChanged(state.drawer, read=True))  # the header's, too
        if state.drawer is None:
            drawer = "Drawer closed — press d to open it before taking cash."
        else:
            drawer = (
                f"Drawer {state.drawer.id} open — cash on hand "
                f"{self.money(state.drawer.cash_on_hand)}."
            )
        mine = "waiting for approval" if self.actor.role == Role.ADMIN else "of yours pending"
        self.query_one("#staff-desk", Static).update(
            Text(f"{drawer}\n{state.pending} request(s) {mine}.")
        )
        self.recent = state.recent
        self.pending = state.pending
        lines = Text()
        for key, customer in zip(RECENT_KEYS, state.recent, strict=False):
            lines.append(f"  {key}  ", style="bold")
            lines.append(f"{customer.full_name} ({customer.username})\n")
        self.query_one("#staff-recent", Static).update(
            lines if state.recent else Text("  None yet: f finds a customer.")
        )

    def _greeting(self) -> Text:
        role = "Supervisor" if self.actor.role == Role.ADMIN else "Teller"
        return Text(f"{role} workstation — signed in as {self.actor.username}")

    def _tasks(self) -> tuple[tuple[str, str, str], ...]:
        return TELLER_TASKS + (ADMIN_TASKS if self.actor.role == Role.ADMIN else ())

    def _menu(self) -> Text:
        text = Text()
        for key, _action, label in self._tasks():
            text.append(f"  {key}  ", style="bold")
            text.append(f"{label}\n")
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {a for _k, a, _l in ADMIN_TASKS}:
            return self.actor.role == Role.ADMIN
        return True

    def action_log_out(self) -> None:
        self.post_message(SignOutRequested())

    def _open(self, screen: Screen[object]) -> None:
        self.app.push_screen(screen)

    def action_recent(self, index: int) -> None:
        """Open one of the customers shown under Recent customers (the bank checks again
        that this user may)."""
        if 0 <= index < len(self.recent):
            self._open(CustomerOverviewScreen(self.recent[index].id))

    def action_find_customer(self) -> None:
        self._open(CustomerSearchScreen())

    def action_cash_drawer(self) -> None:
        self._open(DrawerScreen())

    def action_day_report(self) -> None:
        self._open(EndOfDayScreen())

    def action_approvals(self) -> None:
        self._open(ApprovalsScreen())

    def action_staff_users(self) -> None:
        self._open(StaffUsersScreen())

    def action_audit_log(self) -> None:
        self._open(AuditLogScreen())

    def action_settings(self) -> None:
        self._open(SettingsScreen())
