"""tamper evidence: append-only ledger and audit tables, keyed audit links naming each
entry's legs, the installation record (key fingerprint) and seals

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Tables the database itself keeps append-only (corrections are new rows).
APPEND_ONLY = ("journal_entries", "postings", "audit_events", "seals")


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("entry_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("legs", sa.Text(), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_index("ix_audit_events_entry", "audit_events", ["entry_id"], unique=True)
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("legacy_until_seq", sa.BigInteger(), nullable=False),
        sa.Column("legacy_until_entry", sa.BigInteger(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=True),
        sa.Column("tag", sa.String(length=64), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_installation_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation")),
    )
    op.create_table(
        "seals",
        sa.Column("id", BigId, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("last_posting_id", sa.BigInteger(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("line", sa.String(length=200), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=False),
        sa.Column("sealed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seals")),
    )
    op.create_index("ix_seals_seq", "seals", ["seq"], unique=False)
    # Events before this revision were chained with plain SHA-256 (no key existed for it);
    # everything after is keyed. The boundary is fixed here, and covered by the installation
    # record's tag once a key registers, so it cannot later be moved to hide an edit.
    op.execute(
        "INSERT INTO installation (id, legacy_until_seq, legacy_until_entry) SELECT 1, "
        "(SELECT coalesce(max(seq), 0) FROM audit_events), "
        "(SELECT coalesce(max(id), 0) FROM journal_entries)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION bankapp_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
            "'bankapp: % is append-only; corrections are new entries', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION bankapp_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'bankapp: {table} is append-only; corrections "
                    "are new entries'); END"
                )


def downgrade() -> None:
    raise NotImplementedError("bankapp upgrades only; restore a backup to go back")
