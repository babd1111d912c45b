"""Account history: postings newest first, paged by keyset in SQL, with filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from bankapp.domain.types import Actor, Caller, HistoryCursor, HistoryLine, HistoryPage
from bankapp.errors import NotFound, ValidationFailed
from bankapp.services.access import accessible_account, require_id
from bankapp.services.context import ServiceContext
from bankapp.services.history_lines import LINE_COLUMNS, history_lines
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, JournalEntry, Posting, table_of

_postings = table_of(Posting)
_entries = table_of(JournalEntry)
_accounts = table_of(Account)
MAX_PAGE = 500


@dataclass(frozen=True)
class HistoryFilter:
    """What to show; every field is optional. Amounts compare the absolute value in cents."""

    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    kind: str | None = None
    min_amount: int | None = None
    max_amount: int | None = None
    memo_contains: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        if self.since and self.until and self.since >= self.until:
            raise ValidationFailed("The start date must be before the end date.", field="since")
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            raise ValidationFailed("The minimum amount is above the maximum.", field="min_amount")
        out: list[ColumnElement[bool]] = []
        if self.since:
            out.append(_postings.c.created_at >= self.since)
        if self.until:
            out.append(_postings.c.created_at < self.until)
        if self.kind:
            out.append(_entries.c.kind == self.kind)
        if self.min_amount is not None:
            out.append(func.abs(_postings.c.amount) >= self.min_amount)
        if self.max_amount is not None:
            out.append(func.abs(_postings.c.amount) <= self.max_amount)
        if self.memo_contains:
            text = self.memo_contains.strip()[:100]
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            out.append(_entries.c.memo.ilike(f"%{escaped}%", escape="\\"))
        return out

    @property
    def needs_entry(self) -> bool:
        return bool(self.kind or self.memo_contains)


class HistoryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def page(
        self,
        actor: Actor,
        account_id: int,
        *,
        filters: HistoryFilter | None = None,
        cursor: HistoryCursor | None = None,
        limit: int = 50,
    ) -> HistoryPage:
        """One page of postings, newest first; pass the returned cursor to get the next page."""
        limit = max(1, min(limit, MAX_PAGE))
        filters = filters or HistoryFilter()
        conditions = filters.conditions()

        def work(tx: Tx, caller: Caller) -> HistoryPage:
            accessible_account(tx, caller, account_id)
            query = (
                select(*LINE_COLUMNS)
                .join(_entries, _entries.c.id == _postings.c.entry_id)
                .where(_postings.c.account_id == account_id, *conditions)
                .order_by(_postings.c.id.desc())
                .limit(limit + 1)
            )
            if cursor is not None:
                before = require_id(cursor.before_posting_id, NotFound, "page")
                query = query.where(_postings.c.id < before)
            rows = tx.conn.execute(query).all()
            more = len(rows) > limit
            rows = rows[:limit]
            lines = history_lines(tx, account_id, rows)
            next_cursor = HistoryCursor(rows[-1].id) if more and rows else None
            return HistoryPage(lines, next_cursor)

        return self._ctx.read_as(actor, work)

    def recent(self, actor: Actor, account_ids: list[int], limit: int = 10) -> list[HistoryLine]:
        """The newest lines across several of the actor's accounts (the dashboard's activity)."""
        merged: list[HistoryLine] = []
        for account_id in account_ids:
            merged.extend(self.page(actor, account_id, limit=limit).lines)
        merged.sort(key=lambda line: line.posting_id, reverse=True)
        return merged[:limit]
