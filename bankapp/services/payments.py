"""Money movement use cases: deposit, withdraw and transfer, each one atomic journal entry."""

from __future__ import annotations

from typing import Any

from bankapp.account_numbers import mask_account_number
from bankapp.domain import AccountKind, Actor, EntryResult
from bankapp.errors import (
    AccountNotOpen,
    ApprovalRequired,
    InvalidAmount,
    PermissionDenied,
    SameAccount,
)
from bankapp.money import parse_amount
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    describe,
    load_account_by_number,
    require_active,
)
from bankapp.services.context import ServiceContext
from bankapp.services.drawers import require_cash_on_hand, require_drawer_account
from bankapp.services.ledger import (
    BANK_CASH,
    Leg,
    find_replay,
    internal_account,
    post_entry,
    request_fingerprint,
)
from bankapp.storage.database import Tx
from bankapp.validation import clean_text

MEMO_MAX = 140


class PaymentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def parse_amount(self, text: str) -> int:
        """Parse what a person typed into cents under this installation's currency and limit."""
        settings = self._ctx.settings
        return parse_amount(text, max_cents=settings.max_amount_cents, currency=settings.currency)

    def deposit(
        self,
        actor: Actor,
        account_id: int,
        amount: int,
        *,
        memo: str = "",
        idempotency_key: str | None = None,
    ) -> EntryResult:
        """Cash in: the account goes up, the cash account it came from goes down."""
        return self._cash(actor, account_id, amount, memo, idempotency_key, cash_in=True)

    def withdraw(
        self,
        actor: Actor,
        account_id: int,
        amount: int,
        *,
        memo: str = "",
        idempotency_key: str | None = None,
    ) -> EntryResult:
        """Cash out: refused, with nothing changed, if it would take the account below its floor
        (or, at a teller's drawer, pay out more cash than the drawer holds)."""
        return self._cash(actor, account_id, amount, memo, idempotency_key, cash_in=False)

    def _cash(
        self,
        actor: Actor,
        account_id: int,
        amount: int,
        memo: str,
        idempotency_key: str | None,
        *,
        cash_in: bool,
    ) -> EntryResult:
        """One cash movement between an account and the cash it is paid from or into."""
        self._check_amount(amount)
        self._check_maker_checker(actor, amount)
        op, kind = ("deposit", "deposit") if cash_in else ("withdraw", "withdrawal")
        memo = self._memo(memo) or ("Cash deposit" if cash_in else "Cash withdrawal")
        fingerprint = request_fingerprint(
            {
                "op": op,
                "actor": actor.user_id,
                "account": account_id,
                "amount": amount,
                "memo": memo,
            }
        )
        signed = amount if cash_in else -amount

        def work(tx: Tx) -> EntryResult:
            replay = find_replay(tx, idempotency_key, fingerprint)
            if replay:
                return replay
            account = accessible_account(tx, actor, account_id)
            self._check_open(account)
            cash = self.cash_account(tx, actor)
            if actor.is_staff and not cash_in:
                require_cash_on_hand(tx, cash, amount, self._ctx.settings.currency)
            result = post_entry(
                tx,
                kind=kind,
                memo=memo,
                actor=actor,
                legs=[Leg(account.id, signed), Leg(cash, -signed)],
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                currency=self._ctx.settings.currency,
            )
            self._audit(tx, actor, f"money.{kind}", result, account=account.number)
            return result

        return self._ctx.db.write(work)

    def transfer(
        self,
        actor: Actor,
        from_account_id: int,
        to_account_number: str,
        amount: int,
        *,
        memo: str = "",
        idempotency_key: str | None = None,
    ) -> EntryResult:
        """Move money from an account the actor may act on to any open customer account."""
        self._check_amount(amount)
        self._check_maker_checker(actor, amount)
        memo = self._memo(memo)
        fingerprint = request_fingerprint(
            {
                "op": "transfer",
                "actor": actor.user_id,
                "from": from_account_id,
                "to": to_account_number,
                "amount": amount,
                "memo": memo,
            }
        )

        def work(tx: Tx) -> EntryResult:
            replay = find_replay(tx, idempotency_key, fingerprint)
            if replay:
                return replay
            source = accessible_account(tx, actor, from_account_id)
            target = load_account_by_number(tx, to_account_number)
            if target.id == source.id:
                raise SameAccount("Choose a different account to send to.", field="destination")
            self._check_open(source)
            self._check_open(target, whose="destination")
            result = post_entry(
                tx,
                kind="transfer",
                memo=memo or f"Transfer to {mask_account_number(target.number)}",
                actor=actor,
                legs=[Leg(source.id, -amount), Leg(target.id, amount)],
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                currency=self._ctx.settings.currency,
            )
            self._audit(
                tx, actor, "money.transfer", result, source=source.number, target=target.number
            )
            return result

        return self._ctx.db.write(work)

    # -- shared steps ---------------------------------------------------------------------

    def cash_account(self, tx: Tx, actor: Actor) -> int:
        """The cash account a deposit comes from or a withdrawal is paid out of: staff use
        their own open cash drawer; a customer (the single-user demo) uses bank cash."""
        require_active(tx, actor)
        if actor.is_staff:
            return require_drawer_account(tx, actor)
        return internal_account(tx, BANK_CASH, "Bank cash", self._ctx.settings.currency)

    def _check_maker_checker(self, actor: Actor, amount: int) -> None:
        """Staff operations above the threshold wait for an admin (`bank.approvals.submit`)."""
        threshold = self._ctx.settings.approval_threshold_cents
        if actor.is_staff and amount > threshold:
            raise ApprovalRequired(
                f"Over {self._ctx.money(threshold)}: this needs a supervisor's approval.",
                field="amount",
            )

    def _check_amount(self, amount: int) -> None:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidAmount("The amount must be a whole number of cents.", field="amount")
        if amount <= 0:
            raise InvalidAmount("The amount must be more than zero.", field="amount")
        limit = self._ctx.settings.max_amount_cents
        if amount > limit:
            raise InvalidAmount(
                f"The amount is over the limit of {self._ctx.money(limit)} per operation.",
                field="amount",
            )

    def _memo(self, memo: str) -> str:
        return clean_text(memo, field="memo", label="Memo", max_length=MEMO_MAX, required=False)

    @staticmethod
    def _check_open(account: Any, whose: str = "account") -> None:
        if account.kind == AccountKind.INTERNAL:
            raise PermissionDenied("Internal accounts cannot be used here.")
        if account.status != "open":
            raise AccountNotOpen(
                f"{describe(account)} is {account.status}; no money can move in or out of it.",
                field="destination" if whose == "destination" else "account",
            )

    def _audit(self, tx: Tx, actor: Actor, kind: str, result: EntryResult, **where: str) -> None:
        audit.record(
            tx,
            actor,
            kind,
            f"entry {result.entry_id}",
            {"amount": result.amount, **{k: mask_account_number(v) for k, v in where.items()}},
        )
