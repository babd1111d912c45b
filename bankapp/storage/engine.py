"""Engine factory: turns a database URL into a configured SQLAlchemy engine, or a clear error."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from bankapp.errors import DatabaseMissing, DatabaseReadOnly, DatabaseUnavailable, NotADatabase
from bankapp.storage.direct_statements import run_sql
from bankapp.storage.private_files import create_private
from bankapp.storage.process_options import process_options

DEFAULT_DATABASE_URL = "sqlite:///data/bank.db"  # from the checkout; see storage/locations.py
SQLITE_HEADER = b"SQLite format 3\x00"
# Execution option that marks a connection as a writer: SQLite then takes the write lock at
# BEGIN (BEGIN IMMEDIATE), so two writers never both read and then fail to upgrade their lock.
WRITE_OPTION = "bankapp_write"


def busy_timeout_ms() -> int:
    """How long SQLite waits for another process's write lock (BANKAPP_BUSY_TIMEOUT_MS)."""
    return process_options().busy_timeout_ms


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse, with a message a person can act on, a SQLite file that cannot be used."""
    if path.exists():
        if path.is_dir():
            raise NotADatabase(f"{path} is a directory, not a database file.")
        with path.open("rb") as handle:
            header = handle.read(16)
        if header and header != SQLITE_HEADER:
            raise NotADatabase(f"{path} is not a bankapp database (not a SQLite file).")
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise DatabaseReadOnly(
                f"The database {path} (or its folder) is read-only; bankapp needs to write to it."
            )
        return
    if not create:
        raise DatabaseMissing(
            f"No database at {path}. Create one with `bankapp init` (empty) or `bankapp demo`."
        )
    if not path.parent.exists():
        raise DatabaseMissing(f"The folder {path.parent} does not exist; create it first.")
    if not os.access(path.parent, os.W_OK):
        raise DatabaseReadOnly(f"The folder {path.parent} is read-only; cannot create {path.name}.")
    create_private(path)  # 0600 before SQLite writes to it; its -wal and -shm follow


def make_engine(url: str, *, create: bool = False, **kwargs: Any) -> Engine:
    """Build the engine for `url`; SQLite gets WAL, foreign keys, a busy timeout, FULL sync."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(
            f"{url!r} is not a database URL; use e.g. sqlite:///data/bank.db or "
            "postgresql+psycopg://user@host/dbname."
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            check_sqlite_file(path, create=create)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms() / 1000, "check_same_thread": False},
            hide_parameters=True,
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)
        except Exception as exc:  # a missing driver or malformed option
            raise DatabaseUnavailable(f"Cannot use {parsed.render_as_string()}: {exc}") from exc
    raise DatabaseUnavailable(
        f"Unsupported database {backend!r}; bankapp runs on SQLite and PostgreSQL."
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        cursor.execute("PRAGMA foreign_keys = ON")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        run_sql(conn, "BEGIN IMMEDIATE" if write else "BEGIN")


MAPPED_READ_BYTES = 1 << 31


def map_for_reading(conn: Connection) -> None:
    """Let SQLite read this connection's pages through a memory map (no copy per page): a
    whole-database check reads every page once, and runs about 5-8% faster so. Only for a
    read-only pass (`bankapp verify`); elsewhere SQLite reads as usual."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA mmap_size = {MAPPED_READ_BYTES}")
