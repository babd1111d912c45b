"""history search: each posting's account, entry kind and size in `posting_search`, kept
by a trigger on postings; memo search by trigrams (an FTS5 table on SQLite, a pg_trgm index
on PostgreSQL)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# SQLite keys a posting's memo row by account_id * 2**40 + posting id, so one account's
# rows are one rowid range (bankapp.storage.models.MEMO_KEY_BITS says the same).
MEMO_KEY = "(NEW.account_id * 1099511627776 + NEW.id)"
MEMO_KEY_FITS = "NEW.account_id < 8388608 AND NEW.id < 1099511627776"


def upgrade() -> None:
    op.create_table(
        "posting_search",
        sa.Column("posting_id", BigId, autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("entry_kind", sa.String(length=32), nullable=False),
        sa.Column("abs_amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("posting_id", name=op.f("pk_posting_search")),
    )
    op.execute(
        "INSERT INTO posting_search (posting_id, account_id, entry_kind, abs_amount) "
        "SELECT p.id, p.account_id, e.kind, abs(p.amount) FROM postings p "
        "JOIN journal_entries e ON e.id = p.entry_id"
    )
    op.create_index(
        "ix_posting_search_kind", "posting_search", ["account_id", "entry_kind", "posting_id"]
    )
    op.create_index(
        "ix_posting_search_amount", "posting_search", ["account_id", "abs_amount", "posting_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_search()
    else:
        _sqlite_search()


def _sqlite_search() -> None:
    memos = _sqlite_memo_table()
    if memos:
        op.execute(
            "INSERT INTO posting_memos (rowid, memo) "
            "SELECT p.account_id * 1099511627776 + p.id, e.memo FROM postings p "
            "JOIN journal_entries e ON e.id = p.entry_id "
            "WHERE p.account_id < 8388608 AND p.id < 1099511627776"
        )
    memo_row = (
        f"INSERT INTO posting_memos (rowid, memo) SELECT {MEMO_KEY}, memo FROM journal_entries "
        f"WHERE id = NEW.entry_id AND {MEMO_KEY_FITS}; "
    )
    op.execute(
        "CREATE TRIGGER postings_search AFTER INSERT ON postings BEGIN "
        "INSERT INTO posting_search (posting_id, account_id, entry_kind, abs_amount) "
        "SELECT NEW.id, NEW.account_id, kind, abs(NEW.amount) FROM journal_entries "
        f"WHERE id = NEW.entry_id; {memo_row if memos else ''}END"
    )


def _sqlite_memo_table() -> bool:
    """The FTS5 trigram table (contentless: the memo stays in journal_entries; this holds
    only its trigrams), or False with a warning when this SQLite has no FTS5 or is older
    than 3.34 (no trigram tokenizer): memo search then reads the history."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                "CREATE VIRTUAL TABLE posting_memos USING fts5(memo, content='', "
                "tokenize='trigram', detail=full, columnsize=0)"
            )
    except DBAPIError as exc:
        version = bind.exec_driver_sql("SELECT sqlite_version()").scalar_one()
        logging.getLogger("bankapp").warning(
            "SQLite %s cannot index memos by trigrams (%s; 3.34 or later with FTS5 can); "
            "memo search works without it.",
            version,
            exc.orig,
        )
        return False
    return True


def _postgresql_search() -> None:
    # As its owner, so the application role only reads posting_search (and posting never
    # waits on a grant); its search_path fixed, as a definer's must be.
    schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    op.execute(
        "CREATE OR REPLACE FUNCTION bankapp_posting_search() RETURNS trigger "
        f"LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$ BEGIN "
        "INSERT INTO posting_search (posting_id, account_id, entry_kind, abs_amount) "
        "SELECT n.id, n.account_id, e.kind, abs(n.amount) FROM new_postings n "
        "JOIN journal_entries e ON e.id = n.entry_id; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER postings_search AFTER INSERT ON postings "
        "REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT "
        "EXECUTE FUNCTION bankapp_posting_search()"
    )
    schema = _trigram_schema()
    if schema is not None:
        op.execute(
            "CREATE INDEX ix_journal_entries_memo_trgm ON journal_entries "
            f"USING gin (memo {schema}.gin_trgm_ops)"
        )


def _trigram_schema() -> str | None:
    """Where pg_trgm is, created here if the server has it and the role may: in `public`
    when possible, so dropping another schema (a test's, a bench's) cannot take it and every
    index on it along. None when it cannot be had: memo search then reads the history."""
    bind = op.get_bind()
    problem = ""
    for create in (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    ):
        try:
            with bind.begin_nested():
                bind.exec_driver_sql(create)
            break
        except DBAPIError as exc:
            problem = str(exc.orig).strip().splitlines()[0]
    else:
        logging.getLogger("bankapp").warning(
            "pg_trgm is not available (%s); memo search works without its index "
            "(docs/deployment.md says how to add it).",
            problem,
        )
        return None
    schema = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar_one()
    return str(schema)


def downgrade() -> None:
    raise NotImplementedError("bankapp upgrades only; restore a backup to go back")
