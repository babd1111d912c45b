"""`StaffHomeScreen`: where a teller or admin lands after sign-in; one key per task."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from bankapp.domain import Role
from screens.base import BankScreen

TELLER_TASKS = (
    ("f", "find_customer", "Find a customer"),
    ("d", "cash_drawer", "Cash drawer: open, close, cash in and out"),
    ("r", "day_report", "End-of-day report"),
)
ADMIN_TASKS = (
    ("a", "approvals", "Approvals queue"),
    ("s", "staff_users", "Staff users"),
    ("l", "audit_log", "Audit log"),
)


class StaffHomeScreen(BankScreen):
    """The staff menu. Admin-only tasks are listed for admins; the services refuse them to
    anyone else whatever the screen shows."""

    HELP = "Choose a task with its key. Escape on any task returns here."
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, action, label.split(":")[0], id=f"staff-{action}")
            for key, action, label in TELLER_TASKS + ADMIN_TASKS
        ),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="staff-home"):
            yield Static(self._greeting(), id="staff-greeting")
            yield Static(self._menu(), id="staff-menu")
        yield Footer()

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

    def _open(self, name: str) -> None:
        self.notify(f"{name} is not available yet.", markup=False)

    def action_find_customer(self) -> None:
        self._open("Customer search")

    def action_cash_drawer(self) -> None:
        self._open("Cash drawer")

    def action_day_report(self) -> None:
        self._open("End-of-day report")

    def action_approvals(self) -> None:
        self._open("Approvals")

    def action_staff_users(self) -> None:
        self._open("Staff users")

    def action_audit_log(self) -> None:
        self._open("Audit log")
