"""recent customers: which customers each staff user opened lately, for the staff home

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recent_customers",
        sa.Column("staff_id", BigId, nullable=False),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["users.id"], name=op.f("fk_recent_customers_staff_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["users.id"], name=op.f("fk_recent_customers_customer_id_users")
        ),
        sa.PrimaryKeyConstraint("staff_id", "customer_id", name=op.f("pk_recent_customers")),
    )
    op.create_index("ix_recent_customers_staff", "recent_customers", ["staff_id", "opened_at"])


def downgrade() -> None:
    op.drop_index("ix_recent_customers_staff", table_name="recent_customers")
    op.drop_table("recent_customers")
