"""server-side sessions, one sign-in throttle for every name, idempotency keys per caller

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sign_in_throttle")),
    )
    op.execute(
        "INSERT INTO sign_in_throttle (name, failures, last_failed_at, locked_until) "
        "SELECT username, failed_logins, last_failed_at, locked_until FROM users "
        "WHERE failed_logins > 0 OR locked_until IS NOT NULL"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("last_failed_at")
        batch_op.drop_column("locked_until")

    op.create_table(
        "sessions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.Column("pending_password_hash", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "state IN ('needs_second_factor','must_change_password',"
            "'must_enrol_second_factor','active','locked','ended')",
            name=op.f("ck_sessions_state"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_user", ["user_id", "state"], unique=False)

    # Idempotency keys become per caller ("u<id>:key"); the bank's own keys ("approval:<id>")
    # move to the "sys:" namespace no caller can reach.
    for table in ("journal_entries", "pending_approvals"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "idempotency_key",
                existing_type=sa.String(length=80),
                type_=sa.String(length=120),
                existing_nullable=True,
            )
    op.execute(
        "UPDATE journal_entries SET idempotency_key = 'sys:' || idempotency_key "
        "WHERE idempotency_key LIKE 'approval:%'"
    )
    op.execute(
        "UPDATE journal_entries SET idempotency_key = "
        "'u' || CAST(actor_id AS VARCHAR(20)) || ':' || idempotency_key "
        "WHERE idempotency_key IS NOT NULL AND idempotency_key NOT LIKE 'sys:%' "
        "AND actor_id IS NOT NULL"
    )
    op.execute(
        "UPDATE journal_entries SET idempotency_key = 'sys:' || idempotency_key "
        "WHERE idempotency_key IS NOT NULL AND actor_id IS NULL "
        "AND idempotency_key NOT LIKE 'sys:%'"
    )
    op.execute(
        "UPDATE pending_approvals SET idempotency_key = "
        "'u' || CAST(maker_id AS VARCHAR(20)) || ':' || idempotency_key "
        "WHERE idempotency_key IS NOT NULL"
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_subject", ["subject", "seq"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("bankapp upgrades only; restore a backup to go back")
