"""`IssueCardModal`: a debit card (on a checking account, at once), an application for a credit
card (with the limit asked for; staff decide it), or the credit card of an approved
application."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.card_types import CardKind, IssuedCard
from bankapp.domain.types import AccountKind, AccountStatus, AccountView
from bankapp.errors import BankError, ValidationFailed
from bankapp.services.approvals import ApprovalView
from screens.base import ServiceCalls, field_error

APPLY = "apply"


class IssueCardModal(ServiceCalls, ModalScreen[IssuedCard | ApprovalView | None]):
    """Answers the issued card (shown once by the caller), the application filed, or None
    when cancelled."""

    CSS_PATH = "../cards.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "issue", "Issue", id="issue"),
    ]

    def __init__(
        self,
        owner_id: int | None,
        accounts: list[AccountView],
        applications: list[ApprovalView] = [],  # noqa: B006 (never mutated)
    ) -> None:
        super().__init__()
        self.owner_id = owner_id
        self.approved = [a for a in applications if a.status == "approved" and not a.consumed]
        self.checking = [
            a for a in accounts if a.kind == AccountKind.CHECKING and a.status == AccountStatus.OPEN
        ]
        self.busy = False

    def compose(self) -> ComposeResult:
        settings = self.bank.settings
        low, high = settings.credit_limit_min_cents, settings.credit_limit_max_cents
        with VerticalScroll(classes="modal-box", id="card-issue-box"):
            yield Static("Issue a card", classes="box-title")
            yield Label("Type")
            options = [("Debit card (spends a checking account)", CardKind.DEBIT.value)]
            options += [
                (
                    f"Credit card: approved application #{a.id}, limit "
                    f"{self.money(a.decided_amount or 0)}",
                    str(a.id),
                )
                for a in self.approved
            ]
            options.append(("Apply for a credit card (the bank decides the limit)", APPLY))
            yield Select(
                options,
                value=CardKind.DEBIT.value,
                allow_blank=False,
                id="kind",
            )
            yield field_error("kind")
            yield Label("Checking account", id="account-label")
            yield Select[int](
                [(f"{a.name} {mask_account_number(a.number)}", a.id) for a in self.checking],
                prompt="Choose a checking account",
                id="account",
                value=self.checking[0].id if self.checking else Select.BLANK,
            )
            yield field_error("account")
            yield Label(
                f"Credit limit asked for ({self.money(low)} to {self.money(high)})",
                id="limit-label",
                classes="-hidden",
            )
            yield Input(placeholder="e.g. 2,500.00", id="credit-limit", classes="-hidden")
            yield field_error("credit_limit")
            with Horizontal(classes="buttons"):
                yield Button("Issue (Ctrl+S)", variant="primary", id="issue")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#kind", Select).focus()

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        debit, apply = event.value == CardKind.DEBIT.value, event.value == APPLY
        for widget_id in ("#account-label", "#account"):
            self.query_one(widget_id).set_class(not debit, "-hidden")
        for widget_id in ("#limit-label", "#credit-limit"):
            self.query_one(widget_id).set_class(not apply, "-hidden")
        self.query_one("#issue", Button).label = "Apply (Ctrl+S)" if apply else "Issue (Ctrl+S)"
        self.clear_errors()

    @on(Input.Submitted)
    @on(Button.Pressed, "#issue")
    def action_issue(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        choice = str(self.query_one("#kind", Select).value)
        account = self.query_one("#account", Select).value
        actor, owner_id, cards = self.actor, self.owner_id, self.bank.cards
        call: Callable[[], IssuedCard | ApprovalView]
        try:
            if choice == APPLY:
                limit = self.bank.payments.parse_amount(
                    self.query_one("#credit-limit", Input).value
                )
                call = partial(cards.apply_for_credit, actor, limit, owner_id=owner_id)
            elif choice == CardKind.DEBIT.value:
                if not isinstance(account, int):
                    raise ValidationFailed(
                        "Choose the checking account the card spends from "
                        "(open one first if there is none).",
                        field="account",
                    )
                call = partial(cards.issue_debit, actor, account)
            else:
                call = partial(cards.issue_credit, actor, int(choice))
        except ValidationFailed as error:
            field = "credit_limit" if choice == APPLY else error.field
            self.show_error(ValidationFailed(error.message, field=field))
            return
        self.busy = True
        self.call_service(call, self.dismiss, group="issue", on_error=self._refused)

    def _refused(self, error: BankError) -> None:
        self.busy = False
        self.show_error(error)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
