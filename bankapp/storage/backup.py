"""Backups and restores of the bank's database.

SQLite: SQLite's online backup API copies a live database page by page under its own locks,
so tellers may keep working; the copy is a plain database file (0600). PostgreSQL: `pg_dump`
in its custom format, restored with `pg_restore` into an empty database. Either way the copy
holds its schema revision and its installation key's fingerprint (never the key itself): a
restore checks the first and upgrades an older copy, and the fingerprint names the key the
copy needs."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from bankapp.errors import StorageError, ValidationFailed
from bankapp.storage.engine import make_engine, sqlite_path
from bankapp.storage.locations import data_home
from bankapp.storage.private_files import FILE_MODE, create_private, private_folder

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
PAGES_PER_STEP = 1024  # the backup yields SQLite's lock between steps


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str | None
    key_fingerprint: str | None
    kind: str  # "sqlite" | "pg_dump"


def default_backup_path(now: datetime) -> Path:
    return data_home() / "backups" / f"bank-{now:%Y%m%d-%H%M%S}"


def back_up(url: str, out: Path | None, now: datetime) -> BackupInfo | list[str]:
    """Copy the database at `url` to `out` (default: the data folder's backups/). SQLite is
    copied here; for PostgreSQL the pg_dump command is run when pg_dump is installed, and
    otherwise returned (a list of arguments) for the operator to run."""
    database = sqlite_path(url)
    if database is not None:
        target = _fresh_target(
            out or default_backup_path(now).with_suffix(".db"), numbered=out is None
        )
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy, pages=PAGES_PER_STEP)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        target.chmod(FILE_MODE)
        return describe_backup(target)
    target = _fresh_target(
        out or default_backup_path(now).with_suffix(".dump"), numbered=out is None
    )
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)]
    if shutil.which("pg_dump") is None:
        target.unlink(missing_ok=True)
        return command
    _run(command, "pg_dump")
    target.chmod(FILE_MODE)
    return describe_backup(target)


def describe_backup(path: Path) -> BackupInfo:
    """What a backup file is and holds (its schema revision and key fingerprint)."""
    header = _header(path)
    if header.startswith(PG_DUMP_HEADER):
        return BackupInfo(path, None, None, "pg_dump")
    if not header.startswith(SQLITE_HEADER):
        raise ValidationFailed(f"{path} is not a bankapp backup (neither SQLite nor pg_dump).")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            raise ValidationFailed(f"{path} is an SQLite file but not a bankapp database.")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        fingerprint = None
        if "installation" in tables:
            row = conn.execute("SELECT key_fingerprint FROM installation").fetchone()
            fingerprint = row[0] if row else None
    finally:
        conn.close()
    return BackupInfo(path, revision[0] if revision else None, fingerprint, "sqlite")


def restore(backup: Path, url: str, *, force: bool) -> BackupInfo | list[str]:
    """Put `backup` in place as the database at `url`; refused over a database holding data
    unless `force`. Returns the pg_restore command when it is not installed."""
    info = describe_backup(backup)
    database = sqlite_path(url)
    if database is not None:
        if info.kind != "sqlite":
            raise ValidationFailed(
                "That backup is a PostgreSQL dump; restore it into a PostgreSQL database."
            )
        _refuse_non_empty(url, force=force)
        if database.parent == data_home():
            private_folder(database.parent)
        if not database.exists():
            create_private(database)
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(database)
            try:
                source.backup(target, pages=PAGES_PER_STEP)
            finally:
                target.close()
        finally:
            source.close()
        for suffix in ("", "-wal", "-shm"):
            extra = Path(f"{database}{suffix}")
            if extra.exists():
                extra.chmod(FILE_MODE)
        return info
    if info.kind != "pg_dump":
        raise ValidationFailed(
            "That backup is an SQLite file; restore it into an SQLite database (--db "
            "sqlite:///path)."
        )
    has_tables = _refuse_non_empty(url, force=force)
    command = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}"]
    if has_tables:  # what the dump restores replaces what is there
        command[1:1] = ["--clean", "--if-exists"]
    command.append(str(backup))
    if shutil.which("pg_restore") is None:
        return command
    _run(command, "pg_restore")
    return info


def _refuse_non_empty(url: str, *, force: bool) -> bool:
    """Refuse unless the database holds no accounts (or `force`); whether it has tables."""
    engine = make_engine(url, create=True)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            holds_data = "accounts" in tables and bool(
                conn.execute(text("SELECT count(*) FROM accounts")).scalar_one()
            )
    finally:
        engine.dispose()
    if holds_data and not force:
        raise ValidationFailed(
            "The database already holds a bank; restoring would replace it. Back it up first "
            "(bankapp backup), then run the restore again with --force."
        )
    return bool(tables)


def _fresh_target(path: Path, *, numbered: bool = False) -> Path:
    """Claim `path` as a new private file (a numbered name beside it if `numbered` and it is
    taken: two backups in the same second); an existing file is never overwritten."""
    path = Path(path)
    if path.parent == data_home() / "backups" or not path.parent.exists():
        private_folder(path.parent)
    for attempt in range(1, 1000 if numbered else 2):
        candidate = path if attempt == 1 else path.with_stem(f"{path.stem}-{attempt}")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        except FileExistsError:
            continue
        return candidate
    raise ValidationFailed(f"{path} already exists; choose another --out.")


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(16)
    except FileNotFoundError:
        raise ValidationFailed(f"There is no backup at {path}.") from None
    except OSError as exc:
        raise ValidationFailed(f"{path} cannot be read: {exc.strerror}.") from None


def _libpq(url: str) -> str:
    """The URL as libpq tools take it (no SQLAlchemy driver name)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _run(command: list[str], tool: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise StorageError(f"{tool} failed: {detail[-1] if detail else done.returncode}")
