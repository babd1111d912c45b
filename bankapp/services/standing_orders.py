"""Standing orders: a customer's recurring transfer, and paying those due at close of business.

A customer (or a teller for them) sets one up from their own open account to one of their
accounts or another customer's, by number, with the payee's name confirmed as in the
transfer form. The close of business pays each order due on the business date through the
ledger; an order short of funds is skipped with the reason shown to the customer and tried
again on each of the next `standing_order_retry_days` business days, then marked missed and
moved to its next due date. Each attempt is a row keyed by (order, due date, attempt date),
and each payment an entry keyed by (order, due date), so a close run twice or resumed pays
nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.schedules import MONTHLY, WEEKLY, check_day, first_due, next_due
from bankapp.domain.types import AccountKind, Actor, Caller
from bankapp.domain.validation import clean_text
from bankapp.errors import BankError, NotFound, SameAccount, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    customer_account,
    holder_shown_to,
    load_account_by_number,
    require_open_for_money,
)
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import AuditNote, Leg, post_entry, system_key
from bankapp.services.limits import TRANSFERS_OUT, charge_daily_limit
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, StandingOrder, StandingOrderRun

_orders = StandingOrder
_runs = StandingOrderRun
_accounts = Account
NAME_MAX = 60
MAX_PAYMENTS = 1_000
BATCH = 500
STATUSES = ("active", "paused", "cancelled", "finished")


@dataclass(frozen=True)
class StandingOrderView:
    id: int
    name: str
    source_account_id: int
    source: str  # masked number
    target: str  # masked number
    payee_name: str
    amount: int
    frequency: str
    day: int
    start_date: date
    end_date: date | None
    payments_left: int | None
    next_due: date | None
    status: str
    last_result: str


@dataclass(frozen=True)
class PaymentRun:
    paid: int = 0
    paid_total: int = 0
    skipped: int = 0
    missed: int = 0


def _view(tx: Tx, caller: Caller, row: Any) -> StandingOrderView:
    accounts = {
        account.id: account
        for account in tx.conn.execute(
            select(
                _accounts.c.id, _accounts.c.number, _accounts.c.name, _accounts.c.owner_id
            ).where(_accounts.c.id.in_((row.source_account_id, row.target_account_id)))
        )
    }
    source, target = accounts[row.source_account_id], accounts[row.target_account_id]
    return StandingOrderView(
        id=row.id,
        name=row.name,
        source_account_id=row.source_account_id,
        source=mask_account_number(source.number),
        target=mask_account_number(target.number),
        payee_name=_payee(tx, caller, source.owner_id, target),
        amount=row.amount,
        frequency=row.frequency,
        day=row.day,
        start_date=row.start_date,
        end_date=row.end_date,
        payments_left=row.payments_left,
        next_due=row.next_due,
        status=row.status,
        last_result=row.last_result,
    )


def _payee(tx: Tx, caller: Caller, source_owner_id: int, target: Any) -> str:
    """Who an order pays: the account's name when it is the payer's own, else its holder
    as the caller may see them."""
    if target.owner_id == source_owner_id:
        return f"{target.name} (own account)"
    return holder_shown_to(tx, caller, target.owner_id)


def _order_for(tx: Tx, caller: Caller, order_id: int) -> Any:
    if not isinstance(order_id, int) or isinstance(order_id, bool) or not 0 < order_id < 2**62:
        raise NotFound("No such standing order.")
    row = tx.conn.execute(
        select(_orders).where(_orders.c.id == order_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("No such standing order.")
    try:
        accessible_account(tx, caller, row.source_account_id)
    except NotFound:
        raise NotFound("No such standing order.") from None
    return row


@dataclass(frozen=True)
class NewStandingOrder:
    """What a customer (or a teller for them) asks for; `create` and `preview` check it."""

    from_account_id: int
    to_account_number: str
    name: str
    amount: int
    frequency: str
    day: int
    start_date: date
    end_date: date | None = None
    payments: int | None = None


@dataclass(frozen=True)
class StandingOrderPreview:
    """What `create` would set up: shown for confirmation before anything is written."""

    source: str  # masked number
    payee: str  # the holder's name as the caller may see it, and the masked number
    first_due: date
    available: int


@dataclass(frozen=True)
class _Plan:
    source: Any
    target: Any
    first_due: date


def _checked_fields(ctx: ServiceContext, order: NewStandingOrder) -> NewStandingOrder:
    """The rules that need no database: the same for `preview` and `create`."""
    if not isinstance(order, NewStandingOrder):
        raise ValidationFailed("That is not a standing order.")
    ctx.check_amount(order.amount)
    name = clean_text(order.name, field="name", label="Name", max_length=NAME_MAX)
    if order.frequency not in (WEEKLY, MONTHLY):
        raise ValidationFailed("Choose weekly or monthly.", field="frequency")
    if not isinstance(order.day, int) or isinstance(order.day, bool):
        raise ValidationFailed("Choose the day it runs.", field="day")
    problem = check_day(order.frequency, order.day)
    if problem:
        raise ValidationFailed(problem, field="day")
    if not isinstance(order.start_date, date):
        raise ValidationFailed("Enter the first date as YYYY-MM-DD.", field="start_date")
    end = order.end_date
    if end is not None and (not isinstance(end, date) or end < order.start_date):
        raise ValidationFailed("The end date must be after the start.", field="end_date")
    payments = order.payments
    if payments is not None and (
        not isinstance(payments, int)
        or isinstance(payments, bool)
        or not 1 <= payments <= MAX_PAYMENTS
    ):
        raise ValidationFailed(
            f"The number of payments is 1 to {MAX_PAYMENTS}, or empty for no limit.",
            field="payments",
        )
    if not isinstance(order.to_account_number, str):
        raise ValidationFailed("Type the account number to pay.", field="destination")
    return replace(order, name=name)


def _plan(tx: Tx, caller: Caller, order: NewStandingOrder) -> _Plan:
    """The rules that read the database: the same for `preview` and `create`."""
    if order.start_date < tx.now.date():
        raise ValidationFailed("The first date cannot be in the past.", field="start_date")
    source = customer_account(tx, caller, order.from_account_id)
    target = load_account_by_number(tx, order.to_account_number)
    if target.id == source.id:
        raise SameAccount("Choose a different account to pay.", field="destination")
    require_open_for_money(source)
    require_open_for_money(target, field="destination", caller=caller)
    if source.kind == AccountKind.CREDIT_CARD:
        raise ValidationFailed("A standing order pays from a deposit account.")
    return _Plan(source, target, first_due(order.frequency, order.day, order.start_date))


class StandingOrderService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def preview(self, actor: Actor, order: NewStandingOrder) -> StandingOrderPreview:
        """Every check `create` makes, and what it would set up; nothing is written."""
        checked = _checked_fields(self._ctx, order)

        def work(tx: Tx, caller: Caller) -> StandingOrderPreview:
            plan = _plan(tx, caller, checked)
            return StandingOrderPreview(
                source=mask_account_number(plan.source.number),
                payee=f"{_payee(tx, caller, plan.source.owner_id, plan.target)} "
                f"{mask_account_number(plan.target.number)}",
                first_due=plan.first_due,
                available=int(plan.source.balance) - int(plan.source.held),
            )

        return self._ctx.read_as(actor, work)

    def create(self, actor: Actor, order: NewStandingOrder) -> StandingOrderView:
        """Set up an order on an account the actor may act on; every rule is checked here."""
        checked = _checked_fields(self._ctx, order)

        def work(tx: Tx, caller: Caller) -> StandingOrderView:
            plan = _plan(tx, caller, checked)
            first = plan.first_due
            order_id = tx.conn.execute(
                insert(_orders)
                .values(
                    owner_id=plan.source.owner_id,
                    source_account_id=plan.source.id,
                    target_account_id=plan.target.id,
                    name=checked.name,
                    amount=checked.amount,
                    frequency=checked.frequency,
                    day=checked.day,
                    start_date=checked.start_date,
                    end_date=checked.end_date,
                    payments_left=checked.payments,
                    next_due=first
                    if checked.end_date is None or first <= checked.end_date
                    else None,
                    status="active",
                    last_result="",
                    created_by=caller.user_id,
                    created_at=tx.now,
                )
                .returning(_orders.c.id)
            ).scalar_one()
            audit.record(
                tx,
                caller,
                "standing_order.create",
                f"standing order {order_id}",
                {
                    "amount": checked.amount,
                    "frequency": checked.frequency,
                    "day": checked.day,
                    "name": checked.name,
                },
            )
            row = tx.conn.execute(select(_orders).where(_orders.c.id == order_id)).one()
            return _view(tx, caller, row)

        return self._ctx.write_as(actor, work)

    def list_orders(self, actor: Actor, account_id: int) -> list[StandingOrderView]:
        """The orders paying from one account the actor may see, newest first."""

        def work(tx: Tx, caller: Caller) -> list[StandingOrderView]:
            accessible_account(tx, caller, account_id)
            rows = tx.conn.execute(
                select(_orders)
                .where(_orders.c.source_account_id == account_id)
                .order_by(_orders.c.id.desc())
                .limit(200)
            ).all()
            return [_view(tx, caller, row) for row in rows]

        return self._ctx.read_as(actor, work)

    def pause(self, actor: Actor, order_id: int) -> StandingOrderView:
        return self._change(actor, order_id, "active", "paused")

    def resume(self, actor: Actor, order_id: int) -> StandingOrderView:
        return self._change(actor, order_id, "paused", "active")

    def cancel(self, actor: Actor, order_id: int) -> StandingOrderView:
        return self._change(actor, order_id, None, "cancelled")

    def _change(
        self, actor: Actor, order_id: int, wanted: str | None, to: str
    ) -> StandingOrderView:
        def work(tx: Tx, caller: Caller) -> StandingOrderView:
            row = _order_for(tx, caller, order_id)
            if (wanted is not None and row.status != wanted) or row.status in (
                "cancelled",
                "finished",
            ):
                raise ValidationFailed(f"The order is {row.status}; it cannot be {to} now.")
            values: dict[str, object] = {"status": to}
            if to == "active" and row.next_due is not None and row.next_due < tx.now.date():
                values["next_due"] = first_due(row.frequency, row.day, tx.now.date())
            changed = tx.conn.execute(
                update(_orders)
                .where(_orders.c.id == row.id, _orders.c.status == row.status)
                .values(**values)
            ).rowcount
            if changed != 1:
                raise ValidationFailed("The order changed meanwhile; look again.")
            audit.record(tx, caller, f"standing_order.{to}", f"standing order {row.id}")
            changed_row = tx.conn.execute(select(_orders).where(_orders.c.id == row.id)).one()
            return _view(tx, caller, changed_row)

        return self._ctx.write_as(actor, work)


def pay_due_batch(
    tx: Tx, ctx: ServiceContext, business_date: date, after_id: int
) -> tuple[int, int, int, int]:
    """Pay one batch of orders due on or before `business_date`: (last id, paid, cents paid,
    skipped or missed)."""
    rows = tx.conn.execute(
        select(_orders)
        .where(
            _orders.c.id > after_id,
            _orders.c.status == "active",
            _orders.c.next_due <= business_date,
        )
        .order_by(_orders.c.id)
        .limit(BATCH)
    ).all()
    if not rows:
        return after_id, 0, 0, 0
    paid = total = skipped = 0
    for row in rows:
        if _attempted(tx, row.id, row.next_due, business_date):
            continue
        outcome, entry_id, reason = _try_to_pay(tx, ctx, row, business_date)
        status = outcome
        if outcome == "skipped" and (business_date - row.next_due).days >= (
            ctx.settings.standing_order_retry_days
        ):
            status = "missed"
        tx.conn.execute(
            insert(_runs).values(
                order_id=row.id,
                due_date=row.next_due,
                attempt_date=business_date,
                status=status,
                entry_id=entry_id,
                reason=reason,
            )
        )
        values: dict[str, object] = {"last_result": reason}
        if status in ("paid", "missed"):
            following = next_due(row.frequency, row.day, row.next_due)
            left = None if row.payments_left is None else row.payments_left - (status == "paid")
            ended = (row.end_date is not None and following > row.end_date) or left == 0
            values.update(
                next_due=None if ended else following,
                payments_left=left,
                status="finished" if ended else "active",
            )
        tx.conn.execute(update(_orders).where(_orders.c.id == row.id).values(**values))
        if status == "paid":
            paid += 1
            total += row.amount
        else:
            skipped += 1
    return rows[-1].id, paid, total, skipped


def _attempted(tx: Tx, order_id: int, due: date, business_date: date) -> bool:
    return (
        tx.conn.execute(
            select(_runs.c.status).where(
                _runs.c.order_id == order_id,
                _runs.c.due_date == due,
                _runs.c.attempt_date == business_date,
            )
        ).first()
        is not None
    )


def _try_to_pay(
    tx: Tx, ctx: ServiceContext, row: Any, business_date: date
) -> tuple[str, int | None, str]:
    """Post one payment in a savepoint: ("paid", entry, words) or ("skipped", None, why)."""
    source = tx.conn.execute(select(_accounts).where(_accounts.c.id == row.source_account_id)).one()
    target = tx.conn.execute(select(_accounts).where(_accounts.c.id == row.target_account_id)).one()
    when = business_date.isoformat()
    try:
        with tx.conn.begin_nested():
            require_open_for_money(source)
            require_open_for_money(target, field="destination")
            if target.owner_id != source.owner_id:
                limit = ctx.settings.transfer_out_daily_limit_cents
                charge_daily_limit(tx, ctx, source.owner_id, TRANSFERS_OUT, row.amount, limit)
            result = post_entry(
                tx,
                kind="standing_order",
                memo=f"Standing order: {row.name}",
                actor=None,
                legs=[Leg(source.id, -row.amount), Leg(target.id, row.amount)],
                audit_note=AuditNote(
                    "money.standing_order",
                    {"order": row.id, "due": row.next_due.isoformat()},
                    actor_name="system",
                ),
                idempotency_key=system_key(f"standing:{row.id}:{row.next_due.isoformat()}"),
                currency=ctx.settings.currency,
            )
    except BankError as refused:
        return "skipped", None, f"Not paid on {when}: {refused.message}"[:200]
    return "paid", result.entry_id, f"Paid {ctx.money(row.amount)} on {when}"


def due_dates_through(order: StandingOrderView, until: date) -> list[date]:
    """The order's due dates from its next one up to `until` (for a preview)."""
    dates: list[date] = []
    due = order.next_due
    while due is not None and due <= until and len(dates) < 100:
        dates.append(due)
        due = next_due(order.frequency, order.day, due)
    return dates
