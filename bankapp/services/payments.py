"""Money movement use cases: deposit, withdraw and transfer, each one atomic journal entry.

`post_cash` and `post_transfer` are the one place each movement is posted and audited; the
approval of a pending request calls them too, with the maker as the actor.
"""

from __future__ import annotations

from typing import Any

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.money import parse_amount
from bankapp.domain.types import Actor, Caller, EntryResult
from bankapp.domain.validation import clean_text
from bankapp.errors import SameAccount
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    load_account_by_number,
    require_open_for_money,
    shown_result,
)
from bankapp.services.approval_rules import require_no_approval
from bankapp.services.context import ServiceContext
from bankapp.services.drawers import require_cash_on_hand, require_drawer_account
from bankapp.services.ledger import (
    BANK_CASH,
    Leg,
    caller_key,
    find_replay,
    internal_account,
    post_entry,
    request_fingerprint,
)
from bankapp.storage.database import Tx

MEMO_MAX = 140


def clean_memo(memo: str) -> str:
    return clean_text(memo, field="memo", label="Memo", max_length=MEMO_MAX, required=False)


def cash_account(tx: Tx, ctx: ServiceContext, actor: Caller) -> int:
    """The cash account a deposit comes from or a withdrawal is paid out of: staff use
    their own open cash drawer; a customer (the single-user demo) uses bank cash."""
    if actor.is_staff:
        return require_drawer_account(tx, actor)
    return internal_account(tx, BANK_CASH, "Bank cash", ctx.settings.currency)


def post_cash(
    tx: Tx,
    ctx: ServiceContext,
    actor: Caller,
    account: Any,
    amount: int,
    *,
    cash_in: bool,
    memo: str,
    cash: int,
    idempotency_key: str | None,
    fingerprint: str | None,
    audit_extra: dict[str, Any] | None = None,
) -> EntryResult:
    """Post one cash movement between `account` and the cash account `cash`, and audit it.
    A teller's drawer cannot pay out more cash than it holds."""
    require_open_for_money(account)
    if actor.is_staff and not cash_in:
        require_cash_on_hand(tx, cash, amount, ctx.settings.currency)
    kind = "deposit" if cash_in else "withdrawal"
    signed = amount if cash_in else -amount
    result = post_entry(
        tx,
        kind=kind,
        memo=memo or ("Cash deposit" if cash_in else "Cash withdrawal"),
        actor=actor,
        legs=[Leg(account.id, signed), Leg(cash, -signed)],
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        currency=ctx.settings.currency,
    )
    details = {"amount": result.amount, "account": mask_account_number(account.number)}
    audit.record(
        tx, actor, f"money.{kind}", f"entry {result.entry_id}", details | (audit_extra or {})
    )
    return result


def post_transfer(
    tx: Tx,
    ctx: ServiceContext,
    actor: Caller,
    source: Any,
    target: Any,
    amount: int,
    *,
    memo: str,
    idempotency_key: str | None,
    fingerprint: str | None,
    audit_extra: dict[str, Any] | None = None,
) -> EntryResult:
    """Post a transfer from `source` to `target` (both open customer accounts) and audit it."""
    if target.id == source.id:
        raise SameAccount("Choose a different account to send to.", field="destination")
    require_open_for_money(source)
    require_open_for_money(target, field="destination", caller=actor)
    result = post_entry(
        tx,
        kind="transfer",
        memo=memo or f"Transfer to {mask_account_number(target.number)}",
        actor=actor,
        legs=[Leg(source.id, -amount), Leg(target.id, amount)],
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        currency=ctx.settings.currency,
    )
    details = {
        "amount": result.amount,
        "source": mask_account_number(source.number),
        "target": mask_account_number(target.number),
    }
    audit.record(
        tx, actor, "money.transfer", f"entry {result.entry_id}", details | (audit_extra or {})
    )
    return result


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
        self._ctx.check_amount(amount)
        memo = clean_memo(memo) or ("Cash deposit" if cash_in else "Cash withdrawal")
        fingerprint = request_fingerprint(
            {
                "op": "deposit" if cash_in else "withdraw",
                "actor": actor.user_id,
                "account": account_id,
                "amount": amount,
                "memo": memo,
            }
        )

        def work(tx: Tx, caller: Caller) -> EntryResult:
            require_no_approval(self._ctx, caller, amount)
            key = caller_key(caller, idempotency_key)
            replay = find_replay(tx, key, fingerprint)
            if replay:
                return shown_result(tx, caller, replay)
            account = accessible_account(tx, caller, account_id)
            require_open_for_money(account)
            result = post_cash(
                tx,
                self._ctx,
                caller,
                account,
                amount,
                cash_in=cash_in,
                memo=memo,
                cash=cash_account(tx, self._ctx, caller),
                idempotency_key=key,
                fingerprint=fingerprint,
            )
            return shown_result(tx, caller, result)

        return self._ctx.write_as(actor, work)

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
        self._ctx.check_amount(amount)
        memo = clean_memo(memo)
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

        def work(tx: Tx, caller: Caller) -> EntryResult:
            require_no_approval(self._ctx, caller, amount)
            key = caller_key(caller, idempotency_key)
            replay = find_replay(tx, key, fingerprint)
            if replay:
                return shown_result(tx, caller, replay)
            source = accessible_account(tx, caller, from_account_id)
            target = load_account_by_number(tx, to_account_number)
            result = post_transfer(
                tx,
                self._ctx,
                caller,
                source,
                target,
                amount,
                memo=memo,
                idempotency_key=key,
                fingerprint=fingerprint,
            )
            return shown_result(tx, caller, result)

        return self._ctx.write_as(actor, work)
