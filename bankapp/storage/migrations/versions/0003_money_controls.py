"""money controls: holds and available balance, daily limits, drawer-bound and people
requests, bank freezes of cards

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "daily_totals",
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["users.id"], name=op.f("fk_daily_totals_customer_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "customer_id", "business_date", "kind", name=op.f("pk_daily_totals")
        ),
    )
    op.create_table(
        "holds",
        sa.Column("id", BigId, nullable=False),
        sa.Column("account_id", BigId, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("release_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", BigId, nullable=True),
        sa.Column("entry_id", BigId, nullable=True),
        sa.Column("card_id", BigId, nullable=True),
        sa.Column("merchant", sa.String(length=60), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint("kind IN ('deposit','card','staff')", name=op.f("ck_holds_kind")),
        sa.CheckConstraint(
            "status IN ('held','released','expired','captured','returned')",
            name=op.f("ck_holds_status"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_holds_amount")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_holds_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name=op.f("fk_holds_card_id_cards")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_holds_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_holds_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_holds_resolved_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_holds_idempotency_key")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index("ix_holds_account", ["account_id", "status", "id"], unique=False)
        batch_op.create_index("ix_holds_due", ["status", "release_at"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.create_check_constraint(op.f("ck_accounts_held"), "held >= 0")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("held", server_default=None)

    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("frozen_by_bank", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.alter_column("frozen_by_bank", server_default=None)
    # A card frozen before this release was frozen by the bank unless its holder did it last.
    op.execute(
        "UPDATE cards SET frozen_by_bank = TRUE WHERE status = 'frozen' AND COALESCE(("
        "SELECT e.actor_id FROM audit_events e WHERE e.kind = 'card.freeze' "
        "AND e.subject = 'card ' || CAST(cards.id AS VARCHAR(20)) "
        "ORDER BY e.seq DESC LIMIT 1), -1) <> cards.owner_id"
    )

    with op.batch_alter_table("cash_drawers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cash_drawers_status"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_cash_drawers_status"), "status IN ('open','closing','closed')"
        )

    with op.batch_alter_table("pending_approvals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drawer_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("target_user_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("decided_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("consumed_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_pending_approvals_drawer", ["drawer_id", "status"], unique=False)
        batch_op.create_foreign_key(
            op.f("fk_pending_approvals_target_user_id_users"), "users", ["target_user_id"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_pending_approvals_drawer_id_cash_drawers"),
            "cash_drawers",
            ["drawer_id"],
            ["id"],
        )
        batch_op.drop_constraint(op.f("ck_pending_approvals_status"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_pending_approvals_status"),
            "status IN ('pending','approved','rejected','failed','voided')",
        )
    # A cash request already waiting was taken at its maker's open drawer.
    op.execute(
        "UPDATE pending_approvals SET drawer_id = (SELECT d.id FROM cash_drawers d "
        "WHERE d.teller_id = pending_approvals.maker_id AND d.status = 'open' "
        "ORDER BY d.id DESC LIMIT 1) "
        "WHERE status = 'pending' AND kind IN ('deposit','withdrawal')"
    )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", BigId, nullable=True))
        batch_op.add_column(sa.Column("changed_by", BigId, nullable=True))
        batch_op.add_column(sa.Column("password_reset_by", BigId, nullable=True))
        batch_op.add_column(sa.Column("password_reset_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_users_password_reset_by_users"), "users", ["password_reset_by"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_users_changed_by_users"), "users", ["changed_by"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_users_created_by_users"), "users", ["created_by"], ["id"]
        )


def downgrade() -> None:
    raise NotImplementedError("bankapp upgrades only; restore a backup to go back")
