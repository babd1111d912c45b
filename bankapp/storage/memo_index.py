"""SQLite's memo search index: each posting's memo in the FTS5 trigram table `posting_memos`
(revision 0007), keyed account id * 2**MEMO_KEY_BITS + posting id, so one account is one
rowid range.

The posting code writes it, in the posting's transaction: one statement for the postings of
the entries it has just made. Revision 0010 took it out of the per-row trigger on postings,
because FTS5 flushes its pending terms at the end of each trigger statement, so every posting
wrote its own index segment: inserting 40,000 postings took 3.3 s with the memo in the
trigger and 1.2 s without it, and indexing their memos as one statement takes 0.25 s.
PostgreSQL indexes the entry's memo itself (pg_trgm, revision 0007) and needs nothing here."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection

from bankapp.storage.models import MEMO_KEY_ACCOUNTS, MEMO_KEY_BITS, MEMO_SEARCH_TABLE

# In ascending key order, so FTS5 buffers the whole statement's terms and writes them once.
INDEX_MEMOS = (
    f"INSERT INTO {MEMO_SEARCH_TABLE} (rowid, memo) "
    f"SELECT p.account_id * {1 << MEMO_KEY_BITS} + p.id, e.memo FROM journal_entries e "
    "JOIN postings p ON p.entry_id = e.id WHERE e.id BETWEEN ? AND ? "
    f"AND p.account_id < {MEMO_KEY_ACCOUNTS} AND p.id < {1 << MEMO_KEY_BITS} ORDER BY 1"
)
_MADE = f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{MEMO_SEARCH_TABLE}'"


def index_memos(conn: Connection, first_entry: int, last_entry: int) -> None:
    """Index the memos of the postings of entries `first_entry`..`last_entry`, all made in
    this transaction (on SQLite it holds the write lock, so no other entry is in the range).
    Nothing where there is no trigram table (PostgreSQL; an SQLite without FTS5)."""
    if conn.dialect.name != "sqlite":
        return
    driver: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    info = conn.connection.info  # kept with the pooled connection, across transactions
    if info.get(MEMO_SEARCH_TABLE):  # only its presence is remembered: tables are not dropped
        driver.execute(INDEX_MEMOS, (first_entry, last_entry))
    elif index_memos_sqlite(driver, first_entry, last_entry):
        info[MEMO_SEARCH_TABLE] = True


def index_memos_sqlite(driver: sqlite3.Connection, first_entry: int, last_entry: int) -> bool:
    """`index_memos` on a plain sqlite3 connection (fixtures); whether the index exists."""
    if driver.execute(_MADE).fetchone() is None:
        return False
    driver.execute(INDEX_MEMOS, (first_entry, last_entry))
    return True
