"""Money movement use cases, each one atomic journal entry, and where the money comes from:

- at the counter (staff), cash goes through the teller's own drawer and is available at once;
  the day's cash and transfers of a customer over the approval threshold wait for a
  supervisor (`limits.charge_reportable`);
- a customer's own "deposit" is what it is at a real bank: a check (an external deposit),
  booked against the check-clearing account and held until it clears
  (`settings.clearing_delay`), within a daily limit; staff may return it while uncleared;
- a customer's own cash withdrawal is an ATM withdrawal, within a daily limit;
- transfers to another customer count against the customer's daily limit.

`post_cash`, `post_check_deposit`, `post_atm_withdrawal` and `post_transfer` are the one place
each movement is posted and audited; an approved request calls them too, with the maker as
the actor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.money import parse_amount
from bankapp.domain.types import Actor, Caller, EntryResult, MovementPreview
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    ApprovalRequired,
    NotFound,
    PermissionDenied,
    SameAccount,
    ValidationFailed,
)
from bankapp.services.access import (
    accessible_account,
    load_account_by_number,
    require_open_for_money,
    require_staff,
    shown_result,
    transfer_parties,
)
from bankapp.services.context import ServiceContext
from bankapp.services.drawers import require_cash_on_hand, require_drawer_account
from bankapp.services.holds import load_hold, place_hold, resolve_hold
from bankapp.services.ledger import (
    AuditNote,
    Leg,
    caller_key,
    find_replay,
    internal_account,
    post_entry,
    request_fingerprint,
)
from bankapp.services.limits import (
    ATM_CASH,
    CHECK_DEPOSITS,
    TRANSFERS_OUT,
    charge_daily_limit,
    charge_reportable,
)
from bankapp.services.previews import drawer_cash_after, party
from bankapp.storage.database import Tx

MEMO_MAX = 140
CHECK_CLEARING = "clearing:checks"
ATM = "cash:atm"


def clean_memo(memo: str) -> str:
    return clean_text(memo, field="memo", label="Memo", max_length=MEMO_MAX, required=False)


def _money_note(kind: str, details: dict[str, Any], extra: dict[str, Any] | None) -> AuditNote:
    return AuditNote(f"money.{kind}", {**details, **(extra or {})})


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
    approved: bool = False,
    audit_extra: dict[str, Any] | None = None,
) -> EntryResult:
    """Post cash taken or paid at a teller's drawer `cash`, and audit it. The drawer cannot pay
    out more than it holds; the customer's day of cash and transfers passes the approval
    threshold only through an approved request."""
    require_open_for_money(account)
    # The day's threshold first: over it, the request goes to a supervisor whatever the
    # drawer holds now (approval checks the drawer again, when the cash is paid).
    charge_reportable(tx, ctx, actor, account.owner_id, amount, approved=approved)
    if not cash_in:
        require_cash_on_hand(tx, cash, amount, ctx.settings.currency)
    kind = "deposit" if cash_in else "withdrawal"
    signed = amount if cash_in else -amount
    details = {"account": mask_account_number(account.number)}
    return post_entry(
        tx,
        kind=kind,
        memo=memo or ("Cash deposit" if cash_in else "Cash withdrawal"),
        actor=actor,
        legs=[Leg(account.id, signed), Leg(cash, -signed)],
        audit_note=_money_note(kind, details, audit_extra),
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        currency=ctx.settings.currency,
    )


def post_check_deposit(
    tx: Tx,
    ctx: ServiceContext,
    actor: Caller,
    account: Any,
    amount: int,
    *,
    memo: str,
    idempotency_key: str | None,
    fingerprint: str | None,
) -> EntryResult:
    """Book a deposited check against the clearing account and hold it until it clears: the
    ledger balance counts it at once, the available balance only once it clears."""
    settings = ctx.settings
    require_open_for_money(account)
    charge_daily_limit(
        tx, ctx, account.owner_id, CHECK_DEPOSITS, amount, settings.check_deposit_daily_limit_cents
    )
    clearing = internal_account(tx, CHECK_CLEARING, "Checks in clearing", settings.currency)
    result = post_entry(
        tx,
        kind="check_deposit",
        memo=memo or "Check deposit",
        actor=actor,
        legs=[Leg(account.id, amount), Leg(clearing, -amount)],
        audit_note=_money_note(
            "check_deposit", {"account": mask_account_number(account.number)}, None
        ),
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        currency=settings.currency,
    )
    place_hold(
        tx,
        account,
        amount,
        "deposit",
        by=actor,
        reason="Check deposit clearing",
        release_at=tx.now + settings.clearing_delay,
        reserve=False,
        currency=settings.currency,
        entry_id=result.entry_id,
    )
    return result  # the hold names the entry; the entry's event names its legs


def post_atm_withdrawal(
    tx: Tx,
    ctx: ServiceContext,
    actor: Caller,
    account: Any,
    amount: int,
    *,
    memo: str,
    idempotency_key: str | None,
    fingerprint: str | None,
) -> EntryResult:
    """Cash from an ATM, within the customer's daily ATM limit."""
    settings = ctx.settings
    require_open_for_money(account)
    charge_daily_limit(tx, ctx, account.owner_id, ATM_CASH, amount, settings.atm_daily_limit_cents)
    charge_reportable(tx, ctx, actor, account.owner_id, amount, approved=False)
    atm = internal_account(tx, ATM, "ATM cash", settings.currency)
    return post_entry(
        tx,
        kind="atm_withdrawal",
        memo=memo or "ATM withdrawal",
        actor=actor,
        legs=[Leg(account.id, -amount), Leg(atm, amount)],
        audit_note=_money_note(
            "atm_withdrawal", {"account": mask_account_number(account.number)}, None
        ),
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        currency=settings.currency,
    )


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
    approved: bool = False,
    audit_extra: dict[str, Any] | None = None,
) -> EntryResult:
    """Post a transfer from `source` to `target` (both open customer accounts) and audit it.
    Money leaving the customer (to another customer) counts against their daily limit (a
    customer's own transfer) and towards the day's approval threshold (a staff one)."""
    if target.id == source.id:
        raise SameAccount("Choose a different account to send to.", field="destination")
    require_open_for_money(source)
    require_open_for_money(target, field="destination", caller=actor)
    if target.owner_id != source.owner_id:
        if not actor.is_staff:
            limit = ctx.settings.transfer_out_daily_limit_cents
            charge_daily_limit(tx, ctx, source.owner_id, TRANSFERS_OUT, amount, limit)
        charge_reportable(tx, ctx, actor, source.owner_id, amount, approved=approved)
    details = {
        "source": mask_account_number(source.number),
        "target": mask_account_number(target.number),
    }
    return post_entry(
        tx,
        kind="transfer",
        memo=memo or f"Transfer to {mask_account_number(target.number)}",
        actor=actor,
        legs=[Leg(source.id, -amount), Leg(target.id, amount)],
        audit_note=_money_note("transfer", details, audit_extra),
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        currency=ctx.settings.currency,
    )


def return_check(tx: Tx, ctx: ServiceContext, actor: Caller, hold: Any, reason: str) -> EntryResult:
    """Reverse an uncleared check deposit (it bounced): its hold ends as returned and the
    credit is taken back from the clearing account. The money was never available, so the
    reversal cannot overdraw."""
    if hold.kind != "deposit" or hold.entry_id is None:
        raise ValidationFailed("Only an uncleared check deposit can be returned.")
    if resolve_hold(tx, hold.id, "returned", by=actor) is None:
        raise ValidationFailed(f"This deposit is no longer on hold (it was {hold.status}).")
    clearing = internal_account(tx, CHECK_CLEARING, "Checks in clearing", ctx.settings.currency)
    details = {"hold": hold.id, "deposit_entry": hold.entry_id, "reason": reason}
    return post_entry(
        tx,
        kind="check_return",
        memo=f"Returned check: {reason}",
        actor=actor,
        legs=[Leg(hold.account_id, -hold.amount), Leg(clearing, hold.amount)],
        audit_note=_money_note("check_return", details, None),
        currency=ctx.settings.currency,
    )


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
        """Staff: cash in at the counter, through the teller's drawer, available at once.
        A customer: a check deposit, held until it clears."""
        return self._move(actor, account_id, amount, memo, idempotency_key, money_in=True)

    def withdraw(
        self,
        actor: Actor,
        account_id: int,
        amount: int,
        *,
        memo: str = "",
        idempotency_key: str | None = None,
    ) -> EntryResult:
        """Staff: cash out at the counter, from the teller's drawer. A customer: an ATM
        withdrawal within the daily limit. Refused, with nothing changed, below the floor."""
        return self._move(actor, account_id, amount, memo, idempotency_key, money_in=False)

    def preview(
        self,
        actor: Actor,
        verb: str,
        account_id: int,
        amount: int,
        *,
        to_account_number: str = "",
        memo: str = "",
    ) -> EntryResult:
        """What `deposit`, `withdraw` or `transfer` would do now, checked by exactly the rules
        that post it (limits, funds, approval, the drawer), with nothing moved: a form shows
        the refusal, or the result to confirm, before anything happens."""
        work = self._work(actor, verb, account_id, amount, to_account_number, memo, None)
        return self._ctx.preview_as(actor, work)

    def preview_movement(
        self,
        actor: Actor,
        verb: str,
        account_id: int,
        amount: int,
        *,
        to_account_number: str = "",
        memo: str = "",
    ) -> MovementPreview:
        """`preview`, named for a confirmation: both parties (holder, name, masked number,
        balance after) and the teller's drawer after the cash. A movement that would take the
        customer's day over the approval threshold is described as the request a supervisor
        would get (`approval` says why), with today's balances."""
        work = self._work(actor, verb, account_id, amount, to_account_number, memo, None)
        kind = "withdrawal" if verb == "withdraw" else verb
        memo = clean_memo(memo)

        def described(tx: Tx, caller: Caller, balances: dict[int, int] | None) -> MovementPreview:
            source = accessible_account(tx, caller, account_id)
            target = load_account_by_number(tx, to_account_number) if kind == "transfer" else None
            drawer = None
            if balances is not None and caller.is_staff and kind != "transfer":
                drawer = drawer_cash_after(tx, caller, balances)
            return MovementPreview(
                kind=kind,
                amount=amount,
                memo=memo,
                source=party(tx, caller, source, balances),
                target=None if target is None else party(tx, caller, target, balances),
                drawer_cash_after=drawer,
            )

        def posted(tx: Tx, caller: Caller) -> MovementPreview:
            return described(tx, caller, work(tx, caller).balances)

        try:
            return self._ctx.preview_as(actor, posted)
        except ApprovalRequired as waits:
            found = self._ctx.read_as(actor, lambda tx, caller: described(tx, caller, None))
            return replace(found, approval=waits.message)

    def _work(
        self,
        actor: Actor,
        verb: str,
        account_id: int,
        amount: int,
        to_account_number: str,
        memo: str,
        idempotency_key: str | None,
    ) -> Callable[[Tx, Caller], EntryResult]:
        """The one unit of work of `deposit`, `withdraw` or `transfer`."""
        if verb == "transfer":
            return self._transfer_work(
                actor, account_id, to_account_number, amount, memo, idempotency_key
            )
        if verb in ("deposit", "withdraw"):
            return self._move_work(
                actor, account_id, amount, memo, idempotency_key, money_in=verb == "deposit"
            )
        raise ValidationFailed("Choose deposit, withdraw or transfer.", field="kind")

    def _move(
        self,
        actor: Actor,
        account_id: int,
        amount: int,
        memo: str,
        idempotency_key: str | None,
        *,
        money_in: bool,
    ) -> EntryResult:
        work = self._move_work(actor, account_id, amount, memo, idempotency_key, money_in=money_in)
        return self._ctx.write_as(actor, work)

    def _move_work(
        self,
        actor: Actor,
        account_id: int,
        amount: int,
        memo: str,
        idempotency_key: str | None,
        *,
        money_in: bool,
    ) -> Callable[[Tx, Caller], EntryResult]:
        self._ctx.check_amount(amount)
        memo = clean_memo(memo)
        fingerprint = request_fingerprint(
            {
                "op": "deposit" if money_in else "withdraw",
                "actor": actor.user_id,
                "account": account_id,
                "amount": amount,
                "memo": memo,
            }
        )

        def work(tx: Tx, caller: Caller) -> EntryResult:
            key = caller_key(caller, idempotency_key)
            replay = find_replay(tx, key, fingerprint)
            if replay:
                return shown_result(tx, caller, replay)
            account = accessible_account(tx, caller, account_id)
            require_open_for_money(account)
            options: dict[str, Any] = {
                "memo": memo,
                "idempotency_key": key,
                "fingerprint": fingerprint,
            }
            if caller.is_staff:
                cash = require_drawer_account(tx, caller)
                result = post_cash(
                    tx, self._ctx, caller, account, amount, cash_in=money_in, cash=cash, **options
                )
            elif money_in:
                result = post_check_deposit(tx, self._ctx, caller, account, amount, **options)
            else:
                result = post_atm_withdrawal(tx, self._ctx, caller, account, amount, **options)
            return shown_result(tx, caller, result, known=(account,))

        return work

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
        work = self._transfer_work(
            actor, from_account_id, to_account_number, amount, memo, idempotency_key
        )
        return self._ctx.write_as(actor, work)

    def _transfer_work(
        self,
        actor: Actor,
        from_account_id: int,
        to_account_number: str,
        amount: int,
        memo: str,
        idempotency_key: str | None,
    ) -> Callable[[Tx, Caller], EntryResult]:
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
            key = caller_key(caller, idempotency_key)
            replay = find_replay(tx, key, fingerprint)
            if replay:
                return shown_result(tx, caller, replay)
            source, target = transfer_parties(tx, caller, from_account_id, to_account_number)
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
            return shown_result(tx, caller, result, known=(source, target))

        return work

    def return_deposit(self, actor: Actor, hold_id: int, reason: str) -> EntryResult:
        """Staff return an uncleared check deposit (a bounced check): the credit is reversed."""
        reason = clean_text(reason, field="reason", label="Reason", max_length=140)

        def work(tx: Tx, caller: Caller) -> EntryResult:
            require_staff(caller)
            hold = load_hold(tx, hold_id)
            try:
                accessible_account(tx, caller, hold.account_id)
            except NotFound:
                raise NotFound("No such hold.") from None
            if hold.kind != "deposit":
                raise PermissionDenied("Only a check deposit can be returned.")
            return shown_result(tx, caller, return_check(tx, self._ctx, caller, hold, reason))

        return self._ctx.write_as(actor, work)
