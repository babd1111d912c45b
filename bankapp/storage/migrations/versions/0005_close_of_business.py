"""close of business: business days and their steps, standing orders and their runs,
savings interest accrual

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "business_days",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("seal_line", sa.String(length=200), nullable=True),
        sa.CheckConstraint("status IN ('closing','closed')", name=op.f("ck_business_days_status")),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_business_days")),
    )
    op.create_table(
        "close_steps",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("business_date", "step", name=op.f("pk_close_steps")),
    )
    op.create_table(
        "standing_orders",
        sa.Column("id", BigId, nullable=False),
        sa.Column("owner_id", BigId, nullable=False),
        sa.Column("source_account_id", BigId, nullable=False),
        sa.Column("target_account_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("payments_left", sa.Integer(), nullable=True),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("last_result", sa.String(length=200), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_standing_orders_amount")),
        sa.CheckConstraint(
            "frequency IN ('weekly','monthly')", name=op.f("ck_standing_orders_frequency")
        ),
        sa.CheckConstraint(
            "status IN ('active','paused','cancelled','finished')",
            name=op.f("ck_standing_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_standing_orders_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["source_account_id"],
            ["accounts.id"],
            name=op.f("fk_standing_orders_source_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_standing_orders_target_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_orders")),
    )
    op.create_index("ix_standing_orders_owner", "standing_orders", ["owner_id", "id"])
    op.create_index("ix_standing_orders_due", "standing_orders", ["status", "next_due", "id"])
    op.create_table(
        "standing_order_runs",
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("attempt_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "status IN ('paid','skipped','missed')", name=op.f("ck_standing_order_runs_status")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["standing_orders.id"],
            name=op.f("fk_standing_order_runs_order_id_standing_orders"),
        ),
        sa.PrimaryKeyConstraint(
            "order_id", "due_date", "attempt_date", name=op.f("pk_standing_order_runs")
        ),
    )
    op.create_table(
        "interest_accruals",
        sa.Column("account_id", BigId, nullable=False),
        sa.Column("accrued", sa.BigInteger(), nullable=False),
        sa.Column("accrued_through", sa.Date(), nullable=False),
        sa.Column("posted_through", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_interest_accruals_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_interest_accruals")),
    )


def downgrade() -> None:
    raise NotImplementedError("bankapp upgrades only; restore a backup to go back")
