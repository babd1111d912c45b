"""`StaffUsersScreen`: tellers and admins. N new, D disable/enable, P reset password,
U unlock, T switch teller/admin, F reset the second factor. Admin only (the services say so);
what widens access becomes a request another admin approves."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from bankapp.domain.types import Role, UserView
from bankapp.services.approvals import ApprovalView
from bankapp.services.staff import StaffPage
from screens.base import BankScreen, field_error
from screens.modals.confirm import ConfirmModal
from screens.staff.common import staff_table
from screens.widgets.cells import cell


class StaffUsersScreen(BankScreen):
    HELP = (
        "N asks for a new teller or admin. On a row: D disables or enables, P resets the "
        "password, U unlocks, T switches teller/admin, F resets the second factor (they enrol "
        "again at next sign-in). Disabling and lowering a role happen at once; the rest waits "
        "for another admin's approval."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="staff-new"),
        Binding("d", "toggle_status", "Disable/enable", id="staff-status"),
        # The rest are listed on the screen (MORE_KEYS): the footer keeps room for Help and
        # Quit at 80 columns.
        Binding("p", "reset_password", "Reset password", show=False, id="staff-password"),
        Binding("u", "unlock", "Unlock", show=False, id="staff-unlock"),
        Binding("t", "toggle_role", "Teller/admin", show=False, id="staff-role"),
        Binding("f", "reset_factor", "Reset 2FA", show=False, id="staff-2fa"),
    ]
    MORE_KEYS: ClassVar[str] = (
        "More: p reset password · u unlock · t teller/admin · f reset 2FA · F1 every key"
    )

    def __init__(self) -> None:
        super().__init__()
        self.users: list[UserView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Staff users", classes="staff-title")
            yield Static("", id="staff-status-line", classes="staff-status")
            yield Static(Text(self.MORE_KEYS), id="staff-keys", classes="staff-status")
            yield staff_table(
                "staff-users",
                "Username",
                "Name",
                "Role",
                "Status",
                "Locked",
                "2FA",
                "Must change password",
            )
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#staff-users", DataTable)

    def on_mount(self) -> None:
        self.title = "Staff users"
        self.reload()

    def reload(self) -> None:
        self.call_service(
            lambda: self.bank.staff.page(self.actor, limit=100), self._show, group="staff-list"
        )

    def _show(self, page: StaffPage) -> None:
        self.users = list(page.users)
        row = self.table.cursor_row
        self.table.clear()
        now = self.bank.clock.now()
        for user in self.users:
            locked = user.locked_until is not None and user.locked_until > now
            self.table.add_row(
                cell(user.username),
                cell(user.full_name),
                cell(user.role.value),
                cell(user.status),
                cell(f"until {user.locked_until:%H:%M}" if locked else ""),
                cell("yes" if user.totp_enabled else "not enrolled"),
                cell("yes" if user.must_change_password else ""),
                key=str(user.id),
            )
        self.table.move_cursor(row=min(row, max(0, len(self.users) - 1)))
        self.query_one("#staff-status-line", Static).update(Text(f"{len(self.users)} staff users"))
        self.table.focus()

    def _selected(self) -> UserView | None:
        if not self.users:
            return None
        return self.users[min(self.table.cursor_row, len(self.users) - 1)]

    def _done(self, message: str) -> None:
        self.notify(message, markup=False)
        self.reload()

    def _changed(
        self, done: Callable[[UserView], str]
    ) -> Callable[[UserView | ApprovalView], None]:
        """What a change answered: done at once, or a request waiting for another admin."""

        def shown(result: UserView | ApprovalView) -> None:
            if isinstance(result, ApprovalView):
                self._requested(result)
            else:
                self._done(done(result))

        return shown

    def _requested(self, item: ApprovalView) -> None:
        who = f" for {item.target_user}" if item.target_user else ""
        self._done(f"{item.label}{who}: request #{item.id} waits for another admin's approval.")

    def _asked(
        self, user: UserView, title: str, effect: str, confirm: str, then: Callable[[], object]
    ) -> None:
        """Change someone's access only after a confirmation naming them and the effect."""
        lines = [
            ("Staff user", f"{user.full_name} ({user.username}), {user.role.value}"),
            ("Effect", effect),
        ]

        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.app.push_screen(ConfirmModal(title, lines, confirm=confirm), answered)

    def action_toggle_status(self) -> None:
        user = self._selected()
        if user is None:
            return
        if user.status == "active":
            self._asked(
                user,
                f"Disable {user.username}?",
                "Signed out everywhere at once; their pending requests are void.",
                "Disable",
                lambda: self.call_service(
                    lambda: self.bank.staff.disable(self.actor, user.id),
                    lambda u: self._done(
                        f"{u.username} disabled; their pending requests are void."
                    ),
                ),
            )
        else:
            self._asked(
                user,
                f"Enable {user.username}?",
                "They can sign in again (enabling waits for another admin if the bank says so).",
                "Enable",
                lambda: self.call_service(
                    lambda: self.bank.staff.enable(self.actor, user.id),
                    self._changed(lambda u: f"{u.username} enabled."),
                ),
            )

    def action_unlock(self) -> None:
        user = self._selected()
        if user is not None:
            self.call_service(
                lambda: self.bank.staff.unlock(self.actor, user.id),
                self._changed(lambda u: f"{u.username} unlocked."),
            )

    def action_toggle_role(self) -> None:
        user = self._selected()
        if user is None:
            return
        role = Role.TELLER if user.role == Role.ADMIN else Role.ADMIN
        effect = (
            "Becomes an admin: a request another admin approves."
            if role == Role.ADMIN
            else "Becomes a teller at once: no admin screens or approvals."
        )
        self._asked(
            user,
            f"Make {user.username} {role.value}?",
            effect,
            f"Make {role.value}",
            lambda: self.call_service(
                lambda: self.bank.staff.change_role(self.actor, user.id, role),
                self._changed(lambda u: f"{u.username} is now {u.role.value}."),
            ),
        )

    def action_reset_factor(self) -> None:
        user = self._selected()
        if user is not None:
            self._asked(
                user,
                f"Reset {user.username}'s second factor?",
                "They enrol a new authenticator at next sign-in; a request another admin approves.",
                "Ask for the reset",
                lambda: self.call_service(
                    lambda: self.bank.staff.reset_second_factor(self.actor, user.id),
                    self._requested,
                ),
            )

    def action_reset_password(self) -> None:
        user = self._selected()
        if user is not None:
            self._asked(
                user,
                f"Reset {user.username}'s password?",
                "A temporary password, shown once to the admin who approves the request.",
                "Ask for the reset",
                lambda: self.call_service(
                    lambda: self.bank.staff.reset_password(self.actor, user.id), self._requested
                ),
            )

    def action_new(self) -> None:
        self.app.push_screen(NewStaffScreen(), lambda _created: self.reload())


class NewStaffScreen(BankScreen):
    HELP = (
        "Ask for a new teller or admin. Another admin approves the request and is shown a "
        "temporary password to hand over; the new user changes it at sign-in and enrols "
        "their second factor."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "Request", id="staff-create"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"), Vertical(classes="form-box"):
            yield Static("New staff user", classes="box-title")
            for field, label in (
                ("username", "Username"),
                ("full_name", "Full name"),
                ("email", "Email"),
            ):
                yield Label(label)
                yield Input(id=field.replace("_", "-"), compact=True)
                yield field_error(field)
            yield Label("Role")
            yield Select(
                [("Teller", "teller"), ("Admin", "admin")],
                value="teller",
                allow_blank=False,
                id="role",
                compact=True,
            )
            with Horizontal(classes="buttons"):
                yield Button("Request (Ctrl+S)", variant="primary", id="create")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "New staff user"
        self.query_one("#username", Input).focus()

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        self.clear_errors()
        value = {
            f: self.query_one(f"#{f}", Input).value for f in ("username", "full-name", "email")
        }
        role = str(self.query_one("#role", Select).value)
        self.call_service(
            lambda: self.bank.staff.create(
                self.actor,
                username=value["username"],
                full_name=value["full-name"],
                email=value["email"],
                role=role,
            ),
            self._created,
            group="staff-create",
        )

    def _created(self, item: ApprovalView) -> None:
        self.notify(
            f"Request #{item.id} for {item.target_user} waits for another admin's approval.",
            markup=False,
        )
        self.dismiss(item)
