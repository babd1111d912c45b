"""bank settings: the installation settings a bank changed, kept in the database

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Every workstation of a branch reads the same settings; a row exists only for a setting
changed from its default, so a database without rows behaves as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bank_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("approval_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["pending_approvals.id"],
            name=op.f("fk_bank_settings_approval_id_pending_approvals"),
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_bank_settings")),
    )


def downgrade() -> None:
    op.drop_table("bank_settings")
