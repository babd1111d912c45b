"""PostgreSQL roles: an owner that runs migrations, and an application role that can only do
what the app needs. The application role may add rows to the ledger and the audit trail but
never change or remove one (no UPDATE or DELETE there, no DDL anywhere), so even a bug or a
stolen application password cannot rewrite the books; the triggers of migration 0004 stand
behind it for the owner. docs/deployment.md shows the setup; `grant_statements` is its SQL."""

from __future__ import annotations

from sqlalchemy import Connection, text

from bankapp.storage.models import APPEND_ONLY_TABLES, DERIVED_TABLES, metadata


def grant_statements(app_role: str, schema: str = "public") -> list[str]:
    """The GRANTs that give `app_role` exactly what bankapp needs in `schema` (run by the owner
    after `bankapp init`)."""
    if not app_role.replace("_", "").isalnum():
        raise ValueError("A role name is letters, digits and underscores.")
    statements = [f"GRANT USAGE ON SCHEMA {schema} TO {app_role}"]
    for table in sorted(metadata.tables):
        if table in DERIVED_TABLES:
            rights = "SELECT"
        elif table in APPEND_ONLY_TABLES:
            rights = "SELECT, INSERT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f"GRANT {rights} ON {schema}.{table} TO {app_role}")
    statements.append(f"GRANT SELECT ON {schema}.alembic_version TO {app_role}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app_role}")
    return statements


def describe_role(conn: Connection) -> str:
    """Which database role this connection uses, and what it may do, in words."""
    if conn.dialect.name != "postgresql":
        return "SQLite file: no database roles; the file's permissions (0600) protect it"
    role, owner = conn.execute(
        text(
            "SELECT current_user, (SELECT tableowner FROM pg_tables WHERE tablename = "
            "'postings' AND schemaname = current_schema())"
        )
    ).one()
    if role == owner:
        return (
            f"connected as role {role}, the schema owner (it runs migrations; give the "
            "workstations an application role: docs/deployment.md)"
        )
    return f"connected as role {role}, an application role (the schema owner is {owner})"
