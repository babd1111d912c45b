"""memo index by statement: SQLite's posting trigger no longer writes the FTS5 memo index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

FTS5 flushes its pending terms at the end of every trigger statement, so indexing each
posting's memo from the row trigger wrote one index segment per posting. The posting code
now indexes the memos of the entries it makes with one statement in the same transaction
(`bankapp.storage.memo_index`); the trigger keeps `posting_search`. PostgreSQL is unchanged
(its trigger runs once per statement and the memo index is on the entries).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS postings_search")
    op.execute(
        "CREATE TRIGGER postings_search AFTER INSERT ON postings BEGIN "
        "INSERT INTO posting_search (posting_id, account_id, entry_kind, abs_amount) "
        "SELECT NEW.id, NEW.account_id, kind, abs(NEW.amount) FROM journal_entries "
        "WHERE id = NEW.entry_id; END"
    )


def downgrade() -> None:
    raise NotImplementedError("bankapp upgrades only; restore a backup to go back")
