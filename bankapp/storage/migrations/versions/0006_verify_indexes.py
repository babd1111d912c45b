"""covering indexes for `bankapp verify`: running balances per account and legs per entry

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Each replaces an index it extends, so a posting still writes as many index entries: verify's
running-balance check streams (account_id, id, amount, balance_after) and its legs check
streams (entry_id, account_id, amount) without touching the table or sorting.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_postings_account_running",
        "postings",
        ["account_id", "id", "amount", "balance_after"],
    )
    op.drop_index("ix_postings_account_id", table_name="postings")
    op.create_index("ix_postings_entry_legs", "postings", ["entry_id", "account_id", "amount"])
    op.drop_index("ix_postings_entry", table_name="postings")


def downgrade() -> None:
    op.create_index("ix_postings_entry", "postings", ["entry_id"])
    op.drop_index("ix_postings_entry_legs", table_name="postings")
    op.create_index("ix_postings_account_id", "postings", ["account_id", "id"])
    op.drop_index("ix_postings_account_running", table_name="postings")
