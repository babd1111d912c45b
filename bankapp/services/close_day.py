"""Close of business: one resumable, audited batch per business date.

The steps run in this order (`CLOSE_STEPS`): clearing of deposits on hold → card settlement
→ standing orders → interest accrual → interest posting (on the month's last day) → a seal
of the audit chain → the end-of-day report. Each step works in batches, each batch one
transaction that also moves the step's cursor (`close_steps`) by a conditional update, so:
- a close run again for a date posts nothing twice (finished steps are skipped, and every
  item is itself done once: holds resolve once, payments and interest carry idempotency
  keys, accruals move on their date);
- a close killed at any moment and started again finishes the remaining work;
- two supervisors closing at once cannot both do a batch (the second's cursor update finds
  the cursor moved and its batch rolls back).
Dates close in order: a missed day is closed (catch-up) before the next one, and a date is
never closed twice. Every business day is a business date (the bank has no holiday
calendar); the close of a date may run on a later day.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Protocol, TypeVar

from sqlalchemy import func, insert, select, update

from bankapp.domain.types import Actor, Caller
from bankapp.errors import ValidationFailed
from bankapp.services import audit
from bankapp.services.access import require_admin
from bankapp.services.clearing import clear_deposits_batch, settle_cards_batch
from bankapp.services.context import ServiceContext
from bankapp.services.interest import accrue_batch, post_batch
from bankapp.services.seals import write_seal
from bankapp.services.standing_orders import pay_due_batch
from bankapp.storage.database import Tx
from bankapp.storage.models import BusinessDay, CloseStep

_days = BusinessDay
_steps = CloseStep
MAX_CATCH_UP = 366

Batch = Callable[[Tx, ServiceContext, date, int], tuple[int, int, int, int]]


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min)


def _clearing(tx: Tx, ctx: ServiceContext, day: date, after: int) -> tuple[int, int, int, int]:
    return clear_deposits_batch(tx, None, _end_of(day), after)


def _cards(tx: Tx, ctx: ServiceContext, day: date, after: int) -> tuple[int, int, int, int]:
    return settle_cards_batch(tx, ctx, None, _end_of(day), after)


@dataclass(frozen=True)
class CloseStepSpec:
    name: str
    label: str
    batch: Batch | None  # None: a single-shot step (the seal, the report)


CLOSE_STEPS: tuple[CloseStepSpec, ...] = (
    CloseStepSpec("clearing", "Deposits cleared", _clearing),
    CloseStepSpec("card_settlement", "Card authorisations settled", _cards),
    CloseStepSpec("standing_orders", "Standing orders paid", pay_due_batch),
    CloseStepSpec("interest_accrual", "Savings accounts accrued interest", accrue_batch),
    CloseStepSpec("interest_posting", "Interest entries posted", post_batch),
    CloseStepSpec("seal", "Audit chain sealed", None),
    CloseStepSpec("report", "End-of-day report", None),
)


@dataclass(frozen=True)
class StepOutcome:
    name: str
    label: str
    items: int
    total: int
    skipped: int


@dataclass(frozen=True)
class DayClosed:
    business_date: date
    steps: tuple[StepOutcome, ...]
    seal_line: str
    already_closed: bool = False


@dataclass
class Progress:
    """What a screen's progress bar shows: steps done of all, items in the current step."""

    business_date: date | None = None
    step: int = 0
    steps: int = len(CLOSE_STEPS)
    label: str = ""
    items: int = 0
    dates: list[date] = field(default_factory=list)


def _last_closed(tx: Tx) -> date | None:
    return tx.conn.execute(
        select(func.max(_days.c.business_date)).where(_days.c.status == "closed")
    ).scalar_one_or_none()


def dates_to_close(tx: Tx, wanted: date) -> list[date]:
    """The dates a close for `wanted` must close, in order (catch-up first)."""
    if wanted > tx.now.date():
        raise ValidationFailed("A business date in the future cannot be closed.", field="date")
    last = _last_closed(tx)
    if last is not None and wanted <= last:
        return []
    start = wanted if last is None else last + timedelta(days=1)
    if (wanted - start).days >= MAX_CATCH_UP:
        raise ValidationFailed(
            f"{(wanted - start).days + 1} days would be closed at once; close the earlier "
            "ones first (bankapp close-day --date YYYY-MM-DD).",
            field="date",
        )
    return [start + timedelta(days=n) for n in range((wanted - start).days + 1)]


OPERATOR = "operator"
T = TypeVar("T")


class _Run(Protocol):
    """Runs one unit of work as the closer: a supervisor's session, or the operator."""

    def __call__(self, work: Callable[[Tx, Caller | None], T]) -> T: ...


def _may_close(caller: Caller | None) -> None:
    """A supervisor, or the local operator (the CLI: caller None)."""
    if caller is not None:
        require_admin(caller)


class CloseOfBusiness:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def close_day(
        self,
        actor: Actor,
        business_date: date | None = None,
        *,
        progress: Callable[[Progress], None] | None = None,
    ) -> list[DayClosed]:
        """Close `business_date` (today unless given) and any earlier day not yet closed.
        Only a supervisor may. Returns each date closed, in order; a date already closed
        comes back as it was (`already_closed`), with nothing done again."""
        return self._close(lambda work: self._ctx.write_as(actor, work), business_date, progress)

    def _close(
        self,
        run: _Run,
        business_date: date | None,
        progress: Callable[[Progress], None] | None,
    ) -> list[DayClosed]:
        def plan(tx: Tx, caller: Caller | None) -> tuple[list[date], date]:
            _may_close(caller)
            wanted = business_date or tx.now.date()
            if not isinstance(wanted, date):
                raise ValidationFailed("Enter the date as YYYY-MM-DD.", field="date")
            return dates_to_close(tx, wanted), wanted

        dates, wanted = run(plan)
        if not dates:
            return [run(lambda tx, caller: _closed_report(tx, wanted))]
        state = Progress(dates=list(dates))
        return [self._close_one(run, day, state, progress) for day in dates]

    def report(self, actor: Actor, business_date: date) -> DayClosed:
        """A closed date's report (a supervisor's)."""

        def work(tx: Tx, caller: Caller) -> DayClosed:
            require_admin(caller)
            return _closed_report(tx, business_date)

        return self._ctx.read_as(actor, work)

    def _close_one(
        self,
        run: _Run,
        day: date,
        state: Progress,
        progress: Callable[[Progress], None] | None,
    ) -> DayClosed:
        def begin(tx: Tx, caller: Caller | None) -> None:
            _may_close(caller)
            if _last_closed(tx) not in (None, day - timedelta(days=1)) and not _has(tx, day):
                raise ValidationFailed(f"Close the days before {day} first.", field="date")
            found = tx.conn.execute(
                select(_days.c.status).where(_days.c.business_date == day).with_for_update()
            ).scalar_one_or_none()
            if found is None:
                tx.conn.execute(
                    insert(_days).values(
                        business_date=day,
                        status="closing",
                        started_at=tx.now,
                        closed_by=caller.username if caller else OPERATOR,
                    )
                )
                tx.conn.execute(
                    insert(_steps),
                    [
                        {
                            "business_date": day,
                            "step": spec.name,
                            "cursor": 0,
                            "done": False,
                            "items": 0,
                            "total": 0,
                            "skipped": 0,
                        }
                        for spec in CLOSE_STEPS
                    ],
                )
                audit.record(tx, caller, "close.start", f"business date {day}", actor_name=OPERATOR)

        run(begin)
        state.business_date = day
        for number, spec in enumerate(CLOSE_STEPS, start=1):
            state.step, state.label, state.items = number, spec.label, 0
            if progress:
                progress(state)
            while True:
                more = run(partial(self._step_once, day=day, spec=spec))
                state.items += more
                if progress and more:
                    progress(state)
                if not more:
                    break
        report = run(lambda tx, caller: _closed_report(tx, day))
        return DayClosed(report.business_date, report.steps, report.seal_line)

    def _step_once(self, tx: Tx, caller: Caller | None, day: date, spec: CloseStepSpec) -> int:
        """One batch of `spec` for `day`; how many items it did (0: the step is finished)."""
        _may_close(caller)
        row = tx.conn.execute(
            # Locked: a second supervisor closing at once waits here, then sees the step moved
            # on (or done) instead of repeating the batch.
            select(_steps)
            .where(_steps.c.business_date == day, _steps.c.step == spec.name)
            .with_for_update()
        ).one()
        if row.done:
            return 0
        if spec.batch is not None:
            last, items, total, skipped = spec.batch(tx, self._ctx, day, row.cursor)
            done = last == row.cursor
        else:
            last, items, total, skipped = row.cursor + 1, 1, 0, 0
            self._single(tx, caller, day, spec.name)
            done = True
        moved = tx.conn.execute(
            update(_steps)
            .where(
                _steps.c.business_date == day,
                _steps.c.step == spec.name,
                _steps.c.cursor == row.cursor,
                _steps.c.done.is_(False),
            )
            .values(
                cursor=last,
                done=done,
                items=_steps.c["items"] + items,
                total=_steps.c.total + total,
                skipped=_steps.c.skipped + skipped,
                finished_at=tx.now if done else None,
            )
        ).rowcount
        if moved != 1:
            # Another close did this batch first: undo ours (the transaction rolls back).
            raise ValidationFailed("Another supervisor is closing this date; wait for them.")
        return 0 if done else max(items, 1)

    def _single(self, tx: Tx, caller: Caller | None, day: date, name: str) -> None:
        if name == "seal":
            seal = write_seal(tx, day, sealed_by=caller)
            tx.conn.execute(
                update(_days).where(_days.c.business_date == day).values(seal_line=seal.line)
            )
            return
        report = _report_of(tx, day, "", already=False)
        closed = tx.conn.execute(
            update(_days)
            .where(_days.c.business_date == day, _days.c.status == "closing")
            .values(
                status="closed",
                closed_at=tx.now,
                report=json.dumps([step.__dict__ for step in report.steps]),
            )
        ).rowcount
        if closed != 1:
            raise ValidationFailed(f"{day} is already closed.")
        audit.record(
            tx,
            caller,
            "close.done",
            f"business date {day}",
            {s.name: [s.items, s.total, s.skipped] for s in report.steps},
            actor_name=OPERATOR,
        )


def _closed_report(tx: Tx, day: date) -> DayClosed:
    row = tx.conn.execute(select(_days).where(_days.c.business_date == day)).one_or_none()
    if row is None or row.status != "closed":
        raise ValidationFailed(f"{day} has not been closed.", field="date")
    return _report_of(tx, day, row.seal_line or "", already=True)


def _has(tx: Tx, day: date) -> bool:
    return (
        tx.conn.execute(select(_days.c.status).where(_days.c.business_date == day)).first()
        is not None
    )


def _report_of(tx: Tx, day: date, seal_line: str, *, already: bool) -> DayClosed:
    rows = {
        r.step: r
        for r in tx.conn.execute(select(_steps).where(_steps.c.business_date == day)).all()
    }
    steps = tuple(
        StepOutcome(
            spec.name,
            spec.label,
            int(rows[spec.name].items) if spec.name in rows else 0,
            int(rows[spec.name].total) if spec.name in rows else 0,
            int(rows[spec.name].skipped) if spec.name in rows else 0,
        )
        for spec in CLOSE_STEPS
        if spec.batch is not None
    )
    return DayClosed(day, steps, seal_line, already_closed=already)


def close_as_operator(
    ctx: ServiceContext,
    business_date: date | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
) -> list[DayClosed]:
    """`bankapp close-day`: the same close, by the local operator (`bank.operator`)."""
    closer = CloseOfBusiness(ctx)
    return closer._close(
        lambda work: ctx.db.write(lambda tx: work(tx, None)), business_date, progress
    )
