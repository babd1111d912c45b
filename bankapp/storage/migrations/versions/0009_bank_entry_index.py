"""bank entry index: the few entries between the bank's own accounts, found without a scan

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

`bankapp verify` ties every drawer to its opening-cash and close entries. Those are a handful
among a million customer entries, so a partial index holds only them: the drawer check reads
a few rows instead of scanning the journal (140 ms to 8 ms on the 1,000,000-posting bench).
The kinds are written out here, as they stood at this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BANK_ENTRIES = "kind IN ('drawer_float', 'drawer_close')"


def upgrade() -> None:
    op.create_index(
        "ix_journal_entries_bank_kinds",
        "journal_entries",
        ["kind", "id"],
        sqlite_where=sa.text(BANK_ENTRIES),
        postgresql_where=sa.text(BANK_ENTRIES),
    )


def downgrade() -> None:
    op.drop_index("ix_journal_entries_bank_kinds", table_name="journal_entries")
