"""A customer's own money forms: deposit a check (held until it clears), withdraw cash at the
ATM, transfer. Parse, confirm exactly (with the available balance and the daily limit), post
once, show the result. Cash at the counter is the teller's `staff.cash` screen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountStatus, AccountView, EntryResult
from bankapp.errors import BankError, ValidationFailed
from screens.base import field_error
from screens.modals.confirm import ConfirmModal
from screens.result import ResultScreen
from screens.widgets.destination import (
    DestinationForm,
    chosen_destination,
    destination_fields,
    offer_destinations,
)


@dataclass(frozen=True)
class PaymentKind:
    verb: str  # deposit | withdraw | transfer
    title: str
    account_label: str
    done: str
    hint: str


KINDS = {
    "deposit": PaymentKind(
        "deposit",
        "Deposit a check",
        "Into account",
        "Deposited a check for",
        "The check counts in your balance at once and can be spent once it clears.",
    ),
    "withdraw": PaymentKind(
        "withdraw", "ATM withdrawal", "From account", "Withdrew", "Cash from the ATM."
    ),
    "transfer": PaymentKind(
        "transfer", "Transfer", "From account", "Transferred", "To your accounts or anyone's."
    ),
}


@dataclass(frozen=True)
class PaymentRequest:
    """Everything checked and ready to post; what the confirmation shows."""

    account: AccountView
    amount: int
    memo: str
    destination_number: str = ""
    destination_label: str = ""


class PaymentScreen(DestinationForm):
    """One money form. Its idempotency key is made when it opens, so posting it twice (a
    double Enter, a retry) moves the money once."""

    HELP = (
        "Choose the account, type the amount (for example 1,234.50) and an optional memo, "
        "then press Ctrl+S. A confirmation shows exactly what will happen before anything "
        "moves. For a transfer choose one of your accounts or 'Another account number'. A "
        "check you deposit is held until it clears; daily limits apply to check deposits, "
        "ATM cash and transfers to other customers."
    )
    FORM = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Continue", id="submit"),
    ]

    def __init__(self, verb: str, account_id: int | None = None) -> None:
        super().__init__()
        self.kind = KINDS[verb]
        self.initial_account_id = account_id
        self.idempotency_key = str(uuid.uuid4())
        self.accounts: dict[int, AccountView] = {}
        self.posting = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form-box", id="payment-box"):
            yield Static(self.kind.title, classes="box-title")
            yield Static(self._hint(), classes="hint", id="payment-hint")
            yield Label(self.kind.account_label)
            yield Select[int]([], prompt="Choose an account", id="account", compact=True)
            yield field_error("account")
            if self.kind.verb == "transfer":
                yield from destination_fields("To", "Choose where to send it")
            yield Label("Amount")
            yield Input(placeholder="0.00", id="amount", compact=True)
            yield field_error("amount")
            yield Label("Memo (optional)")
            yield Input(placeholder="what it is for", id="memo", compact=True)
            yield field_error("memo")
            with Horizontal(classes="buttons"):
                yield Button("Continue (Ctrl+S)", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def _hint(self) -> str:
        """What this kind of payment does, and the customer's daily limit for it."""
        settings = self.bank.settings
        limit = {
            "deposit": settings.check_deposit_daily_limit_cents,
            "withdraw": settings.atm_daily_limit_cents,
            "transfer": settings.transfer_out_daily_limit_cents,
        }[self.kind.verb]
        to_others = " to other customers" if self.kind.verb == "transfer" else ""
        return f"{self.kind.hint} Daily limit{to_others}: {self.money(limit)}."

    @property
    def account_select(self) -> Select[int]:
        return self.query_one("#account", Select)

    def on_mount(self) -> None:
        self.title = self.kind.title
        self.call_service(
            lambda: self.bank.accounts.list_accounts(self.actor),
            self._show_accounts,
            group="accounts",
        )

    def _show_accounts(self, accounts: list[AccountView]) -> None:
        usable = [a for a in accounts if a.status == AccountStatus.OPEN]
        self.accounts = {a.id: a for a in accounts}
        self.account_select.set_options(
            (
                f"{a.name} {mask_account_number(a.number)} · {self.money(a.available)} available",
                a.id,
            )
            for a in usable
        )
        ids = [a.id for a in usable]
        initial = self.initial_account_id
        if initial is not None and initial in ids:
            self.account_select.value = initial
        elif ids:
            self.account_select.value = ids[0]
        if self.kind.verb == "transfer":
            source = self.account_select.value
            # Every own account is offered; the first one other than the source is chosen.
            offer_destinations(self, sorted(usable, key=lambda a: a.id == source))
        self.query_one("#amount", Input).focus()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "memo":
            self.action_submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.leave(lambda: self.dismiss(None))

    # -- submit: check, confirm, post -----------------------------------------------------

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.posting:
            return
        self.clear_errors()
        try:
            request = self._read_form()
        except ValidationFailed as error:
            self.show_error(error)
            return
        if self.kind.verb == "transfer" and not request.destination_label:
            number = request.destination_number
            self.call_service(
                lambda: self.bank.accounts.find_destination(self.actor, number),
                lambda label: self._check(_with_label(request, label)),
                group="destination",
                on_error=self._destination_refused,
            )
            return
        self._check(request)

    def _check(self, request: PaymentRequest) -> None:
        """Ask the bank whether it would go through (limits, funds) before confirming."""
        payments, actor, verb = self.bank.payments, self.actor, self.kind.verb
        self.call_service(
            lambda: payments.preview(
                actor,
                verb,
                request.account.id,
                request.amount,
                to_account_number=request.destination_number,
                memo=request.memo,
            ),
            lambda _would: self._confirm(request),
            group="preview",
            on_error=self._preview_refused,
        )

    def _preview_refused(self, error: BankError) -> None:
        """Beside the field it is about; a refusal of the money itself beside the amount."""
        self.show_error(BankError(error.message, field=error.field or "amount"))

    def _read_form(self) -> PaymentRequest:
        account_id = self.account_select.value
        if not isinstance(account_id, int) or account_id not in self.accounts:
            raise ValidationFailed("Choose an account.", field="account")
        amount = self.bank.payments.parse_amount(self.query_one("#amount", Input).value)
        memo = self.query_one("#memo", Input).value
        request = PaymentRequest(self.accounts[account_id], amount, memo)
        if self.kind.verb != "transfer":
            return request
        number, mine = chosen_destination(self, list(self.accounts.values()))
        if mine is None:
            return _with_destination(request, number, "")
        label = f"{mine.name} {mask_account_number(mine.number)} (yours)"
        return _with_destination(request, number, label)

    def _destination_refused(self, error: BankError) -> None:
        self.show_error(BankError(error.message, field="destination"))

    def _confirm(self, request: PaymentRequest) -> None:
        account = request.account
        lines = [
            ("Action", f"{self.kind.title} {self.money(request.amount)}"),
            (self.kind.account_label, f"{account.name} {mask_account_number(account.number)}"),
        ]
        if self.kind.verb == "transfer":
            lines.append(("To", request.destination_label))
        lines.append(("Memo", request.memo.strip() or "(none)"))
        if self.kind.verb == "deposit":
            clears = self.bank.clock.now() + self.bank.settings.clearing_delay
            lines += [
                ("Balance after", self.money(account.balance + request.amount)),
                (
                    "Available",
                    f"{self.money(account.available)} now; the check clears {clears:%Y-%m-%d}",
                ),
            ]
        else:
            lines += [
                ("Available now", self.money(account.available)),
                ("Available after", self.money(account.available - request.amount)),
            ]
        self.app.push_screen(
            ConfirmModal(
                f"Confirm: {self.kind.title.lower()}",
                lines,
                confirm=f"{self.kind.title} {self.money(request.amount)}",
            ),
            lambda ok: self.post(request) if ok else None,
        )

    def post(self, request: PaymentRequest) -> None:
        """Post the request with this form's idempotency key (safe to call twice)."""
        self.posting = True
        self.query_one("#submit", Button).disabled = True
        self.call_service(
            lambda: self._call(request),
            lambda r: self._posted(request, r),
            group="post",
            on_error=self._post_refused,
            exclusive=False,
        )

    def _call(self, request: PaymentRequest) -> EntryResult:
        payments, actor, key = self.bank.payments, self.actor, self.idempotency_key
        if self.kind.verb == "deposit":
            return payments.deposit(
                actor, request.account.id, request.amount, memo=request.memo, idempotency_key=key
            )
        if self.kind.verb == "withdraw":
            return payments.withdraw(
                actor, request.account.id, request.amount, memo=request.memo, idempotency_key=key
            )
        return payments.transfer(
            actor,
            request.account.id,
            request.destination_number,
            request.amount,
            memo=request.memo,
            idempotency_key=key,
        )

    def _post_refused(self, error: BankError) -> None:
        self.posting = False
        self.query_one("#submit", Button).disabled = False
        self.show_error(error)

    def _posted(self, request: PaymentRequest, result: EntryResult) -> None:
        if not self.is_current:
            return  # a repeated post of this form already showed its result
        lines = [
            ("Amount", self.money(result.amount)),
            (self.kind.account_label, request.account.name),
        ]
        if request.destination_label:
            lines.append(("To", request.destination_label))
        for account_id, balance in result.balances.items():
            own = self.accounts.get(account_id)
            if own is not None:  # never show the balance of someone else's account
                lines.append((f"New balance, {own.name}", self.money(balance)))
        if self.kind.verb == "deposit":
            clears = result.created_at + self.bank.settings.clearing_delay
            lines.append(("On hold", f"until the check clears, {clears:%Y-%m-%d}"))
        lines.append(("Reference", f"entry {result.entry_id}"))
        if result.replayed:
            lines.append(("Note", "This was already done; nothing was posted twice."))
        title = f"{self.kind.done} {self.money(result.amount)}"
        self.app.switch_screen(ResultScreen(title, lines))


def _with_destination(request: PaymentRequest, number: str, label: str) -> PaymentRequest:
    return PaymentRequest(request.account, request.amount, request.memo, number, label)


def _with_label(request: PaymentRequest, label: str) -> PaymentRequest:
    return _with_destination(request, request.destination_number, label)
