"""`StaffHomeScreen`: where a teller or admin lands after sign-in; one key per task, the
drawer's state and (for admins) how many requests wait for approval."""

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
from bankapp.services.drawers import DrawerView
from screens.base import BankScreen
from screens.messages import SignOutRequested
from screens.staff.approvals import ApprovalsScreen
from screens.staff.audit import AuditLogScreen
from screens.staff.customers import CustomerSearchScreen
from screens.staff.drawer import DrawerScreen
from screens.staff.report import EndOfDayScreen
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
)


@dataclass(frozen=True)
class DeskState:
    drawer: DrawerView | None
    pending: int


class StaffHomeScreen(BankScreen):
    """The staff menu. Admin-only tasks are listed for admins; the services refuse them to
    anyone else whatever the screen shows."""

    HELP = "Choose a task with its key. Escape on any task returns here."
    HOME = True  # Escape stays here: the bottom of the staff's screens (Ctrl+L logs out)
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, action, label.split(":")[0].split(" (")[0], id=f"staff-{action}")
            for key, action, label in TELLER_TASKS + ADMIN_TASKS
        ),
        Binding("ctrl+l", "log_out", "Log out", id="log-out"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="staff-home"):
            yield Static(self._greeting(), id="staff-greeting", classes="staff-title")
            yield Static("", id="staff-desk", classes="staff-status")
            yield Static(self._menu(), id="staff-menu")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Staff"
        self.refresh_desk()

    def on_screen_resume(self) -> None:
        self.refresh_desk()

    def refresh_desk(self) -> None:
        if self.session.signed_in is None:  # resumed while signing out
            return
        actor = self.actor

        def load() -> DeskState:
            pending = self.bank.approvals.page(actor, limit=200).items
            return DeskState(self.bank.drawers.current(actor), len(pending))

        self.call_service(load, self._show_desk, group="desk")

    def _show_desk(self, state: DeskState) -> None:
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
