"""History filters, and how a page of an account's history finds its rows: each filter seeks
on an index made for it (migration 0007), so a first page costs about what it shows, even
when nothing matches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Select, String, column, func, select, table
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnClause, UnaryExpression

from bankapp.errors import ValidationFailed
from bankapp.services.history_lines import LINE_COLUMNS
from bankapp.storage.database import Tx
from bankapp.storage.models import (
    MEMO_KEY_ACCOUNTS,
    MEMO_KEY_BITS,
    MEMO_SEARCH_TABLE,
    JournalEntry,
    Posting,
    PostingSearch,
)

_postings = Posting
_entries = JournalEntry
_search = PostingSearch
_memos = table(MEMO_SEARCH_TABLE, column("rowid", Integer))
_sqlite_master = table("sqlite_master", column("name", String))
# FTS5's hidden column named after its table: `posting_memos MATCH '"text"'`.
_memo_match: ColumnClause[str] = column(MEMO_SEARCH_TABLE)
# A range matching at most this many of the account's postings is read whole and sorted; one
# matching more is common enough that reading the account newest first soon fills a page.
FEW = 2_000
TRIGRAM = 3  # the shortest memo text a trigram index finds; shorter text is read for


@dataclass(frozen=True)
class HistoryFilter:
    """What to show; every field is optional. Amounts compare the absolute value in cents."""

    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    kind: str | None = None
    min_amount: int | None = None
    max_amount: int | None = None
    memo_contains: str | None = None

    def conditions(
        self, created_at: ColumnElement[datetime] | None = None
    ) -> list[ColumnElement[bool]]:
        """The filters as conditions on a posting joined to its entry (ValidationFailed when
        they contradict each other); `created_at` stands for the posting's time if given."""
        if self.since and self.until and self.since >= self.until:
            raise ValidationFailed("The start date must be before the end date.", field="since")
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            raise ValidationFailed("The minimum amount is above the maximum.", field="min_amount")
        out = self.time_range(_postings.c.created_at if created_at is None else created_at)
        if self.kind:
            out.append(_entries.c.kind == self.kind)
        if self.min_amount is not None:
            out.append(func.abs(_postings.c.amount) >= self.min_amount)
        if self.max_amount is not None:
            out.append(func.abs(_postings.c.amount) <= self.max_amount)
        memo = self.memo_condition()
        if memo is not None:
            out.append(memo)
        return out

    def time_range(
        self, created_at: ColumnElement[datetime] = _postings.c.created_at
    ) -> list[ColumnElement[bool]]:
        """The dates as conditions on `created_at` (the posting's time unless given)."""
        out: list[ColumnElement[bool]] = []
        if self.since:
            out.append(created_at >= self.since)
        if self.until:
            out.append(created_at < self.until)
        return out

    def memo_condition(self) -> ColumnElement[bool] | None:
        """Case-insensitive substring of the entry's memo; % and _ match themselves."""
        memo = self.memo_text
        if memo is None:
            return None
        escaped = memo.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return _entries.c.memo.ilike(f"%{escaped}%", escape="\\")

    @property
    def memo_text(self) -> str | None:
        """The text memos must contain (case-insensitively), or None for any memo."""
        return self.memo_contains.strip()[:100] if self.memo_contains else None

    @property
    def trigram_text(self) -> str | None:
        """The memo text when a trigram index can find it: three characters or more."""
        memo = self.memo_text
        return memo if memo and len(memo) >= TRIGRAM and "\x00" not in memo else None

    @property
    def has_amount(self) -> bool:
        return self.min_amount is not None or self.max_amount is not None

    def only(self, *fields: str) -> bool:
        """Whether no filter but `fields` is set."""
        return replace(self, **dict.fromkeys(fields)) == HistoryFilter()


@dataclass(frozen=True)
class PageSpec:
    """Which rows a page wants: the account's, below `before` (a posting id), `rows` of them."""

    account_id: int
    before: int | None
    rows: int


Query = Select[tuple[object, ...]]
Plan = Callable[[Tx, HistoryFilter, PageSpec], "Query | None"]


def page_query(tx: Tx, filters: HistoryFilter, spec: PageSpec) -> Query:
    """The query for one page, newest first: the first plan that serves these filters. The
    FTS5 table seeks within the account, so on SQLite memo text comes first; PostgreSQL's
    trigram index spans the bank, so there the account's own indexes do."""
    plans: tuple[Plan, ...] = (
        (_memo_search, _kind_seek, _amount_range, _date_range)
        if tx.conn.dialect.name == "sqlite"
        else (_kind_seek, _amount_range, _memo_candidates, _date_range)
    )
    for plan in plans:
        query = plan(tx, filters, spec)
        if query is not None:
            return query
    return _newest_first(tx, filters, spec)


def _newest_first(
    tx: Tx, filters: HistoryFilter, spec: PageSpec, *, seek_time: bool = False
) -> Query:
    """The account's postings read newest first (`ix_postings_account_running`), each checked
    against the filters; with `seek_time`, the date range may be read from
    `ix_postings_account_time` instead and sorted."""
    created_at = _postings.c.created_at if seek_time else _not_sought(tx, _postings.c.created_at)
    query = (
        select(*LINE_COLUMNS)
        .join(_entries, _entries.c.id == _postings.c.entry_id)
        .where(_postings.c.account_id == spec.account_id, *filters.conditions(created_at))
        .order_by(_postings.c.id.desc())
        .limit(spec.rows)
    )
    if spec.before is not None:
        query = query.where(_postings.c.id < spec.before)
    return query


def _newest_of(tx: Tx, filters: HistoryFilter, spec: PageSpec, ids: Query) -> Query:
    """The page when `ids` (one column of posting ids, below the cursor) meets every filter:
    its newest few are taken from the index alone, then only those rows are read."""
    newest = ids.order_by(ids.selected_columns[0].desc()).limit(spec.rows)
    return _newest_first(tx, filters, spec).where(_postings.c.id.in_(newest))


def _not_sought(tx: Tx, created_at: ColumnElement[datetime]) -> ColumnElement[datetime]:
    """On SQLite `+created_at`, which its planner never seeks an index on (it would sort the
    whole range rather than read newest first); as it is on PostgreSQL, whose statistics
    know better."""
    if tx.conn.dialect.name != "sqlite":
        return created_at
    return UnaryExpression(created_at, operator=operators.custom_op("+"), type_=created_at.type)


def _memo_search(tx: Tx, filters: HistoryFilter, spec: PageSpec) -> Query | None:
    """SQLite: the account's rowid range of the FTS5 trigram table, newest first; each hit
    is checked against every filter, the memo's own (today's LIKE) included."""
    text = filters.trigram_text
    if text is None or not _memo_keys_fit(tx, spec.account_id):
        return None
    base = spec.account_id << MEMO_KEY_BITS
    top = base + (spec.before - 1 if spec.before is not None else (1 << MEMO_KEY_BITS) - 1)
    phrase = '"' + text.replace('"', '""') + '"'
    return (
        select(*LINE_COLUMNS)
        .select_from(_memos)
        .join(_postings, _postings.c.id == _memos.c.rowid - base)
        .join(_entries, _entries.c.id == _postings.c.entry_id)
        .where(
            _memo_match.match(phrase),
            _memos.c.rowid.between(base, top),
            *filters.conditions(_not_sought(tx, _postings.c.created_at)),
        )
        .order_by(_memos.c.rowid.desc())
        .limit(spec.rows)
    )


def _memo_keys_fit(tx: Tx, account_id: int) -> bool:
    """Every posting has its memo row: the table exists (migration 0007 made it if this
    SQLite could), and the account id and the newest posting id fit the key."""
    if account_id >= MEMO_KEY_ACCOUNTS:
        return False
    made = select(_sqlite_master.c.name).where(_sqlite_master.c.name == MEMO_SEARCH_TABLE)
    newest = select(func.max(_postings.c.id)).scalar_subquery()
    found = tx.conn.execute(select(newest, made.exists())).one()
    return bool(found[1]) and (found[0] is None or found[0] < 1 << MEMO_KEY_BITS)


def _kind_seek(tx: Tx, filters: HistoryFilter, spec: PageSpec) -> Query | None:
    """The account's postings of one entry kind, newest first (`ix_posting_search_kind`)."""
    if not filters.kind:
        return None
    where = [_search.c.account_id == spec.account_id, _search.c.entry_kind == filters.kind]
    return _through_search(tx, filters, spec, where, alone=filters.only("kind"))


def _amount_range(tx: Tx, filters: HistoryFilter, spec: PageSpec) -> Query | None:
    """A few postings in the amount range: all of them (`ix_posting_search_amount`), sorted."""
    if not filters.has_amount:
        return None
    where = [_search.c.account_id == spec.account_id]
    if filters.min_amount is not None:
        where.append(_search.c.abs_amount >= filters.min_amount)
    if filters.max_amount is not None:
        where.append(_search.c.abs_amount <= filters.max_amount)
    if _more_than_few(tx, _found(where, spec)):
        return None
    return _through_search(tx, filters, spec, where, alone=filters.only("min_amount", "max_amount"))


def _found(where: list[ColumnElement[bool]], spec: PageSpec) -> Query:
    """The ids in `posting_search` that `where` finds, below the cursor."""
    query = select(_search.c.posting_id).where(*where)
    if spec.before is not None:
        query = query.where(_search.c.posting_id < spec.before)
    return query


def _through_search(
    tx: Tx, filters: HistoryFilter, spec: PageSpec, where: list[ColumnElement[bool]], *, alone: bool
) -> Query:
    """Postings found in `posting_search` by `where`, newest first. When `where` is all the
    filters ask, the page's ids come from the index alone; otherwise each posting found is
    checked against the other filters, on the posting and its entry themselves."""
    if alone:
        return _newest_of(tx, filters, spec, _found(where, spec))
    query = (
        select(*LINE_COLUMNS)
        .select_from(_search)
        .join(_postings, _postings.c.id == _search.c.posting_id)
        .join(_entries, _entries.c.id == _postings.c.entry_id)
        .where(*where, *filters.conditions(_not_sought(tx, _postings.c.created_at)))
        .order_by(_search.c.posting_id.desc())
        .limit(spec.rows)
    )
    if spec.before is not None:
        query = query.where(_search.c.posting_id < spec.before)
    return query


def _memo_candidates(tx: Tx, filters: HistoryFilter, spec: PageSpec) -> Query | None:
    """PostgreSQL: when few entries in the bank have the memo text (found by the pg_trgm
    index), the account's postings of those entries."""
    memo = filters.memo_condition()
    if filters.trigram_text is None or memo is None:
        return None
    if _more_than_few(tx, select(_entries.c.id).where(memo)):
        return None
    hits = select(_entries.c.id).where(memo).cte("memo_hits").prefix_with("MATERIALIZED")
    query = _newest_first(tx, filters, spec)
    return query.where(_postings.c.entry_id.in_(select(hits.c.id)))


def _date_range(tx: Tx, filters: HistoryFilter, spec: PageSpec) -> Query | None:
    """Dates: read newest first when few postings came after the range and the range holds a
    page; otherwise the range's postings are read (`ix_postings_account_time`) and sorted."""
    if not (filters.since or filters.until):
        return None
    account = [_postings.c.account_id == spec.account_id]
    if spec.before is not None:
        account.append(_postings.c.id < spec.before)
    in_range = select(_postings.c.id).where(*account, *filters.time_range())
    after = [_postings.c.created_at >= filters.until] if filters.until else []
    few_after = not after or not _more_than_few(tx, select(_postings.c.id).where(*account, *after))
    if few_after and _more_than(tx, in_range, spec.rows - 1):
        return None
    if filters.only("since", "until"):
        return _newest_of(tx, filters, spec, in_range)
    return _newest_first(tx, filters, spec, seek_time=True)


def _more_than_few(tx: Tx, ids: Query) -> bool:
    return _more_than(tx, ids, FEW)


def _more_than(tx: Tx, ids: Query, count: int) -> bool:
    """Whether `ids` has more than `count` rows (reads up to `count` + 1 of them)."""
    capped = ids.limit(count + 1).subquery()
    found = tx.conn.execute(select(func.count()).select_from(capped)).scalar_one()
    return int(found) > count
