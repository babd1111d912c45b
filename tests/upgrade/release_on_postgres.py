"""The 0.1.0 release database loaded into PostgreSQL, as a branch that ran 0.1.0 on
PostgreSQL would have it: the schema of revision 0001 made by the migrations themselves,
then every row of `tests/data/bank-0.1.0.db` copied into it (in place of what the
revision seeds) (booleans and timestamps turned
from SQLite's storage into PostgreSQL's types) and each id sequence moved past its rows."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Boolean, DateTime, Engine, MetaData, insert, text

from bankapp.storage.schema import alembic_config


def load_release(sqlite_file: Path, engine: Engine) -> None:
    """Make revision 0001's schema in the empty database behind `engine` and copy the
    release file's rows into it."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    source = sqlite3.connect(sqlite_file)
    try:
        with engine.begin() as conn:
            tables = MetaData()
            tables.reflect(conn)
            copied = [t for t in tables.sorted_tables if t.name != "alembic_version"]
            for table in reversed(copied):  # what revision 0001 seeds (the audit head)
                conn.execute(table.delete())
            for table in copied:
                cursor = source.execute(f"SELECT * FROM {table.name}")
                names = [column[0] for column in cursor.description]
                rows = [_for_postgres(table, dict(zip(names, row, strict=True))) for row in cursor]
                if rows:
                    conn.execute(insert(table), rows)
                if "id" in table.c:
                    conn.execute(
                        text(
                            "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                        ),
                        {"t": table.name},
                    )
    finally:
        source.close()


def _for_postgres(table: object, row: dict[str, object]) -> dict[str, object]:
    columns = table.c  # type: ignore[attr-defined]
    converted: dict[str, object] = {}
    for name, value in row.items():
        kind = columns[name].type
        if value is not None and isinstance(kind, Boolean):
            value = bool(value)
        elif isinstance(value, str) and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        converted[name] = value
    return converted
