"""Account history: postings newest first, paged by keyset in SQL, with filters; and the
newest lines across a customer's accounts."""

from __future__ import annotations

from sqlalchemy import select, union_all

from bankapp.domain.types import Actor, Caller, HistoryCursor, HistoryLine, HistoryPage
from bankapp.errors import NotFound
from bankapp.services.access import accessible_account, accessible_accounts, require_id
from bankapp.services.context import ServiceContext
from bankapp.services.history_filters import HistoryFilter, PageSpec, page_query
from bankapp.services.history_lines import LINE_COLUMNS, history_lines, lines_of_accounts
from bankapp.storage.database import Tx
from bankapp.storage.models import JournalEntry, Posting

__all__ = ["MAX_PAGE", "HistoryFilter", "HistoryService"]

_postings = Posting
_entries = JournalEntry
MAX_PAGE = 500


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
        filters.conditions()  # refuses contradictory filters before any reading

        def work(tx: Tx, caller: Caller) -> HistoryPage:
            accessible_account(tx, caller, account_id)
            before = None
            if cursor is not None:
                before = require_id(cursor.before_posting_id, NotFound, "page")
            query = page_query(tx, filters, PageSpec(account_id, before, limit + 1))
            rows = tx.conn.execute(query).all()
            more = len(rows) > limit
            rows = rows[:limit]
            lines = history_lines(tx, account_id, rows)
            next_cursor = HistoryCursor(rows[-1].id) if more and rows else None
            return HistoryPage(lines, next_cursor)

        return self._ctx.read_as(actor, work)

    def recent(self, actor: Actor, account_ids: list[int], limit: int = 10) -> list[HistoryLine]:
        """The newest lines across several of the actor's accounts (the dashboard's activity),
        in one query: each account's newest `limit`, merged."""
        limit = max(1, min(limit, MAX_PAGE))
        wanted = list(dict.fromkeys(account_ids))

        def work(tx: Tx, caller: Caller) -> list[HistoryLine]:
            accessible_accounts(tx, caller, wanted)
            if not wanted:
                return []
            newest = [
                select(*LINE_COLUMNS, _postings.c.account_id)
                .join(_entries, _entries.c.id == _postings.c.entry_id)
                .where(_postings.c.account_id == account_id)
                .order_by(_postings.c.id.desc())
                .limit(limit)
                .subquery()
                for account_id in wanted
            ]
            merged = union_all(*(select(*each.c) for each in newest)).subquery()
            query = select(*merged.c).order_by(merged.c.id.desc()).limit(limit)
            return list(lines_of_accounts(tx, tx.conn.execute(query).all()))

        return self._ctx.read_as(actor, work)
