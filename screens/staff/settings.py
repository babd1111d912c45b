"""`SettingsScreen`: the installation settings every workstation uses (limits, timeouts,
interest rates, sign-in rules), each with its default and who last changed it. Enter on one
asks for a change (`ChangeSettingScreen`): a request another supervisor approves. Admin only
(the services say so)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from bankapp.services.approvals import ApprovalView
from bankapp.services.installation_settings import SettingView
from screens.base import BankScreen, field_error
from screens.staff.common import staff_table
from screens.widgets.cells import cell


def _changed(view: SettingView) -> str:
    if view.is_default:
        return "default"
    when = f"{view.changed_at:%Y-%m-%d}" if view.changed_at else ""
    return f"{view.changed_by} {when}".strip()


class SettingsScreen(BankScreen):
    HELP = (
        "Every workstation uses these settings. Enter on a setting asks for a change; another "
        "supervisor approves it in the approvals queue, and it applies then, on every "
        "workstation within seconds. The local operator can also change one with "
        "`bankapp settings set`."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "change", "Change", id="settings-change"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[SettingView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="staff-body"):
            yield Static("Installation settings", classes="staff-title")
            yield Static("", id="settings-status", classes="staff-status")
            # Who changed a setting before its default: at 80 columns the default is cut.
            yield staff_table("settings", "Setting", "Value", "Changed by", "Waiting", "Default")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#settings", DataTable)

    def on_mount(self) -> None:
        self.title = "Settings"
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def changed_elsewhere(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.call_service(
            lambda: self.bank.bank_settings.show(self.actor), self._show, group="settings"
        )

    def _show(self, views: tuple[SettingView, ...]) -> None:
        self.views = list(views)
        row = self.table.cursor_row
        self.table.clear()
        for view in self.views:
            waiting = ", ".join(f"#{i}" for i in view.pending)
            self.table.add_row(
                cell(view.label),
                cell(view.value, right=True),
                cell(_changed(view) if view.changeable else "fixed"),
                cell(waiting),
                cell(view.default if not view.is_default else "", right=True),
                key=view.name,
            )
        self.table.move_cursor(row=min(row, max(0, len(self.views) - 1)))
        changed = sum(not v.is_default for v in self.views)
        asked = sum(len(v.pending) for v in self.views)
        self.query_one("#settings-status", Static).update(
            Text(
                f"{len(self.views)} settings · {changed} changed · {asked} waiting for "
                "approval · Enter asks for a change"
            )
        )
        self.table.focus()

    @on(DataTable.RowSelected, "#settings")
    def action_change(self) -> None:
        if not self.views:
            return
        view = self.views[min(self.table.cursor_row, len(self.views) - 1)]
        if not view.changeable:
            self.notify(f"{view.label} cannot be changed: {view.help}.", markup=False)
            return
        self.app.push_screen(ChangeSettingScreen(view), lambda _item: self.reload())


class ChangeSettingScreen(BankScreen):
    HELP = (
        "Type the new value in the setting's unit (money as 1,500.00, a rate as 2.5 for 2.5%, "
        "durations in the unit shown) and why. Ctrl+S files the request; nothing changes "
        "until another supervisor approves it."
    )
    CSS_PATH = "staff.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "request", "Request", id="setting-request"),
    ]

    def __init__(self, view: SettingView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        view = self.view
        yield Header()
        with Vertical(classes="staff-body"), Vertical(classes="form-box"):
            yield Static(Text(f"Change: {view.label}"), classes="box-title")
            yield Static(Text(view.help), classes="hint")
            yield Static(
                Text(f"Now {view.value} · default {view.default} · name {view.name}"),
                classes="hint",
            )
            yield Label("New value")
            yield Input(id="value", compact=True)
            yield field_error("value")
            yield Label("Reason (optional)")
            yield Input(id="reason", compact=True, max_length=140)
            yield field_error("reason")
            with Horizontal(classes="buttons"):
                yield Button("Request (Ctrl+S)", variant="primary", id="setting-request")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Change setting"
        self.query_one("#value", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#setting-request")
    def action_request(self) -> None:
        self.clear_errors()
        value = self.query_one("#value", Input).value
        reason = self.query_one("#reason", Input).value
        name = self.view.name
        self.call_service(
            lambda: self.bank.bank_settings.propose(self.actor, name, value, reason=reason),
            self._requested,
            group="setting-request",
        )

    def _requested(self, item: ApprovalView) -> None:
        self.notify(f"Request #{item.id} waits for another supervisor: {item.memo}", markup=False)
        self.dismiss(item)
