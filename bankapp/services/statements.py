"""Account statements: opening balance, lines with running balance, totals, closing balance;
generated statements are recorded, audited and can be reprinted identically."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select, tuple_

from bankapp.domain.account_numbers import normalise_account_number
from bankapp.domain.statement_types import (
    MAX_PERIOD_DAYS,
    PRESET_LABELS,
    SERIES_POINTS,
    Preset,
    StatementCursor,
    StatementDocument,
    StatementPage,
    StatementPeriod,
    StatementRecord,
    StatementSummary,
    StatementView,
)
from bankapp.domain.types import AccountKind, Actor, Caller, HistoryLine
from bankapp.errors import AccountNotFound, NotFound, StatementMismatch
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    load_account_by_number,
    owner_name,
    require_account_access,
    require_id,
)
from bankapp.services.context import ServiceContext
from bankapp.services.history import MAX_PAGE
from bankapp.services.history_lines import LINE_COLUMNS, history_lines
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, JournalEntry, Posting, Statement, User

_postings = Posting
_entries = JournalEntry
_accounts = Account
_statements = Statement
_users = User
__all__ = [
    "MAX_PERIOD_DAYS",
    "PRESET_LABELS",
    "Preset",
    "StatementCursor",
    "StatementDocument",
    "StatementPage",
    "StatementPeriod",
    "StatementRecord",
    "StatementService",
    "StatementSummary",
    "StatementView",
]


class StatementService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def today(self) -> date:
        return self._ctx.db.clock.now().date()

    def period(self, preset: Preset | str) -> StatementPeriod:
        return StatementPeriod.for_preset(preset, self.today())

    def account_id_for_number(self, actor: Actor, number: str) -> int:
        """The id of the account with `number`, if the actor may see it."""

        def work(tx: Tx, caller: Caller) -> int:
            digits = normalise_account_number(number)
            row = load_account_by_number(tx, digits)
            try:
                require_account_access(caller, row)
            except AccountNotFound:
                # The same words as for a number that does not exist.
                raise AccountNotFound(
                    f"No account with number {digits[:34]!r}; check the digits.",
                    field="account",
                ) from None
            return int(row.id)

        return self._ctx.read_as(actor, work)

    def view(
        self, actor: Actor, account_id: int, period: StatementPeriod, *, limit: int = 50
    ) -> StatementView:
        """Summary and first page in one read transaction (one consistent snapshot)."""

        def work(tx: Tx, caller: Caller) -> StatementView:
            summary = _summary(tx, caller, account_id, period)
            return StatementView(summary, _page(tx, account_id, period, None, limit))

        return self._ctx.read_as(actor, work)

    def summary(self, actor: Actor, account_id: int, period: StatementPeriod) -> StatementSummary:
        return self._ctx.read_as(actor, lambda tx, caller: _summary(tx, caller, account_id, period))

    def lines(
        self,
        actor: Actor,
        account_id: int,
        period: StatementPeriod,
        *,
        cursor: StatementCursor | None = None,
        limit: int = 50,
    ) -> StatementPage:
        """One page of the period's lines, oldest first; pass `next_cursor` for the next."""

        def work(tx: Tx, caller: Caller) -> StatementPage:
            accessible_account(tx, caller, account_id)
            return _page(tx, account_id, period, cursor, limit)

        return self._ctx.read_as(actor, work)

    def balance_series(
        self, actor: Actor, account_id: int, period: StatementPeriod, points: int = SERIES_POINTS
    ) -> tuple[int, ...]:
        """The balance at evenly spaced instants from the start to the end of the period (or
        now, if sooner): one index seek per point, for a chart."""
        points = max(2, min(points, 500))

        def work(tx: Tx, caller: Caller) -> tuple[int, ...]:
            accessible_account(tx, caller, account_id)
            end = min(period.end, max(period.start, tx.now))
            step = (end - period.start) / (points - 1)
            instants = [period.start + step * i for i in range(points - 1)] + [period.end]
            return tuple(_balance_before(tx, account_id, instant) for instant in instants)

        return self._ctx.read_as(actor, work)

    def generate(self, actor: Actor, account_id: int, period: StatementPeriod) -> StatementDocument:
        """Produce a statement: record it (who, when, which range, totals) and audit it. The
        lines are read first, so the write lock is held only for the record and the audit."""

        def read(tx: Tx, caller: Caller) -> tuple[StatementSummary, tuple[HistoryLine, ...]]:
            summary = _summary(tx, caller, account_id, period, posting_ids=True)
            return summary, _all_lines(tx, account_id, period, summary.last_posting_id)

        summary, lines = self._ctx.read_as(actor, read)
        digest = _digest(summary, lines)

        def work(tx: Tx, caller: Caller) -> StatementDocument:
            accessible_account(tx, caller, account_id)
            statement_id = int(
                tx.conn.execute(
                    insert(_statements)
                    .values(
                        account_id=account_id,
                        requested_by=caller.user_id,
                        created_at=tx.now,
                        period_start=period.start,
                        period_end=period.end,
                        first_posting_id=summary.first_posting_id,
                        last_posting_id=summary.last_posting_id,
                        opening_balance=summary.opening_balance,
                        closing_balance=summary.closing_balance,
                        total_in=summary.total_in,
                        total_out=summary.total_out,
                        line_count=summary.line_count,
                        holder_name=summary.holder_name[:100],
                        account_name=summary.account_name[:60],
                        digest=digest,
                    )
                    .returning(_statements.c.id)
                ).scalar_one()
            )
            audit.record(
                tx,
                caller,
                "statement.generate",
                f"account {account_id}",
                {
                    "statement_id": statement_id,
                    "from": period.first_day.isoformat(),
                    "to": period.last_day.isoformat(),
                    "lines": summary.line_count,
                    "digest": digest,
                },
            )
            return StatementDocument(
                statement_id,
                self._ctx.settings.bank_name,
                tx.now,
                caller.username,
                summary,
                lines,
                digest,
            )

        return self._ctx.write_as(actor, work)

    def reprint(self, actor: Actor, statement_id: int) -> StatementDocument:
        """The statement exactly as first generated; refused if the ledger no longer agrees."""

        def read(tx: Tx, caller: Caller) -> StatementDocument:
            require_id(statement_id, NotFound, "statement")
            record = tx.conn.execute(
                select(_statements).where(_statements.c.id == statement_id)
            ).one_or_none()
            if record is None:
                raise NotFound("No such statement.")
            account = tx.conn.execute(
                select(_accounts).where(_accounts.c.id == record.account_id)
            ).one()
            try:
                require_account_access(caller, account)
            except NotFound:
                raise NotFound("No such statement.") from None
            summary, lines = _rebuild(tx, record, account)
            digest = _digest(summary, lines)
            if digest != record.digest:
                raise StatementMismatch(
                    f"Statement {statement_id} no longer matches the ledger; run `bankapp "
                    "verify` and report it."
                )
            who = tx.conn.execute(
                select(_users.c.username).where(_users.c.id == record.requested_by)
            ).scalar_one()
            return StatementDocument(
                record.id,
                self._ctx.settings.bank_name,
                record.created_at,
                str(who),
                summary,
                lines,
                digest,
            )

        document = self._ctx.read_as(actor, read)
        self._ctx.write_as(
            actor,
            lambda tx, caller: audit.record(
                tx,
                caller,
                "statement.reprint",
                f"account {document.summary.account_id}",
                {"statement_id": statement_id},
            ),
        )
        return document

    def records(self, actor: Actor, account_id: int, limit: int = 50) -> list[StatementRecord]:
        """Statements produced for an account, newest first."""

        def work(tx: Tx, caller: Caller) -> list[StatementRecord]:
            accessible_account(tx, caller, account_id)
            rows = tx.conn.execute(
                select(_statements)
                .where(_statements.c.account_id == account_id)
                .order_by(_statements.c.id.desc())
                .limit(max(1, min(limit, MAX_PAGE)))
            ).all()
            return [
                StatementRecord(
                    row.id,
                    row.account_id,
                    row.created_at,
                    _period_of(row),
                    row.opening_balance,
                    row.closing_balance,
                    row.line_count,
                )
                for row in rows
            ]

        return self._ctx.read_as(actor, work)


# -- queries ----------------------------------------------------------------------------------


def _balance_before(tx: Tx, account_id: int, instant: datetime) -> int:
    """The balance just before `instant`: one index seek on (account, time, id) to the last
    earlier posting, whose `balance_after` is the answer."""
    value = tx.conn.execute(
        select(_postings.c.balance_after)
        .where(_postings.c.account_id == account_id, _postings.c.created_at < instant)
        .order_by(
            _postings.c.account_id.desc(), _postings.c.created_at.desc(), _postings.c.id.desc()
        )
        .limit(1)
    ).scalar_one_or_none()
    return int(value or 0)


class _Totals(NamedTuple):
    lines: int
    total_in: int
    total_out: int
    first_id: int | None
    last_id: int | None


def _totals(
    tx: Tx,
    account_id: int,
    period: StatementPeriod,
    *,
    posting_ids: bool = False,
    upto_posting_id: int | None = None,
) -> _Totals:
    """Count, money in and money out over the period: one pass over the covering index. The
    lowest and highest posting ids (for the statements register) cost a little more."""
    amount, ident = _postings.c.amount, _postings.c.id
    columns: list[Any] = [
        func.count(),
        func.coalesce(func.sum(amount).filter(amount > 0), 0),
        func.coalesce(func.sum(amount), 0),
    ]
    if posting_ids:
        columns += [func.min(ident), func.max(ident)]
    query = select(*columns).where(*_in_period(account_id, period))
    if upto_posting_id is not None:
        query = query.where(ident <= upto_posting_id)
    row = tx.conn.execute(query).one()
    total_in, net = int(row[1]), int(row[2])
    first, last = (row[3], row[4]) if posting_ids else (None, None)
    return _Totals(int(row[0]), total_in, total_in - net, first, last)


def _in_period(account_id: int, period: StatementPeriod) -> list[Any]:
    return [
        _postings.c.account_id == account_id,
        _postings.c.created_at >= period.start,
        _postings.c.created_at < period.end,
    ]


def _make_summary(
    tx: Tx, account: Any, period: StatementPeriod, totals: _Totals, holder: str, name: str
) -> StatementSummary:
    opening = _balance_before(tx, account.id, period.start)
    total_in, total_out = totals.total_in, totals.total_out
    return StatementSummary(
        account_id=account.id,
        account_number=account.number,
        account_name=name,
        account_kind=AccountKind(account.kind),
        holder_name=holder,
        currency=account.currency,
        period=period,
        opening_balance=opening,
        total_in=total_in,
        total_out=total_out,
        line_count=totals.lines,
        closing_balance=opening + total_in - total_out,
        first_posting_id=totals.first_id,
        last_posting_id=totals.last_id,
    )


def _summary(
    tx: Tx, actor: Caller, account_id: int, period: StatementPeriod, *, posting_ids: bool = False
) -> StatementSummary:
    account = accessible_account(tx, actor, account_id)
    totals = _totals(tx, account_id, period, posting_ids=posting_ids)
    return _make_summary(
        tx, account, period, totals, owner_name(tx, account.owner_id), account.name
    )


def _line_query(account_id: int, period: StatementPeriod) -> Any:
    return (
        select(*LINE_COLUMNS)
        .join(_entries, _entries.c.id == _postings.c.entry_id)
        .where(*_in_period(account_id, period))
        .order_by(_postings.c.created_at, _postings.c.id)
    )


def _page(
    tx: Tx, account_id: int, period: StatementPeriod, cursor: StatementCursor | None, limit: int
) -> StatementPage:
    limit = max(1, min(limit, MAX_PAGE))
    query = _line_query(account_id, period).limit(limit + 1)
    if cursor is not None:
        query = query.where(
            tuple_(_postings.c.created_at, _postings.c.id)
            > tuple_(cursor.after_at, cursor.after_posting_id)
        )
    rows = tx.conn.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    lines = history_lines(tx, account_id, rows)
    next_cursor = StatementCursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return StatementPage(lines, next_cursor)


def _all_lines(
    tx: Tx, account_id: int, period: StatementPeriod, upto_posting_id: int | None
) -> tuple[HistoryLine, ...]:
    if upto_posting_id is None:
        return ()
    query = _line_query(account_id, period).where(_postings.c.id <= upto_posting_id)
    return history_lines(tx, account_id, list(tx.conn.execute(query).all()))


def _period_of(record: Any) -> StatementPeriod:
    return StatementPeriod(
        record.period_start.date(), (record.period_end - timedelta(days=1)).date()
    )


def _rebuild(tx: Tx, record: Any, account: Any) -> tuple[StatementSummary, tuple[HistoryLine, ...]]:
    """Recompute a recorded statement from the ledger, limited to the postings it covered."""
    period = _period_of(record)
    upto = record.last_posting_id if record.last_posting_id is not None else 0
    totals = _totals(tx, account.id, period, posting_ids=True, upto_posting_id=upto)
    summary = _make_summary(tx, account, period, totals, record.holder_name, record.account_name)
    return summary, _all_lines(tx, account.id, period, record.last_posting_id)


def _digest(summary: StatementSummary, lines: tuple[HistoryLine, ...]) -> str:
    """A hash of everything the statement prints, so a reprint can prove it is identical."""
    body = [
        summary.account_number,
        summary.account_name,
        summary.holder_name,
        summary.currency,
        summary.period.start.isoformat(),
        summary.period.end.isoformat(),
        summary.opening_balance,
        summary.total_in,
        summary.total_out,
        summary.line_count,
        summary.closing_balance,
        [
            [
                ln.posting_id,
                ln.at.isoformat(),
                ln.kind,
                ln.memo,
                ln.counterparty,
                ln.amount,
                ln.balance_after,
            ]
            for ln in lines
        ],
    ]
    canonical = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
