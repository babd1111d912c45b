"""`bankapp backup` copies a live database and `bankapp restore` puts it back (refusing to
replace a bank without --force, upgrading an older copy, verifying after): SQLite through the
online backup API, PostgreSQL through pg_dump and pg_restore into a database of its own."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bankapp.bank import open_bank
from bankapp.cli.main import main
from bankapp.storage.schema import head_revision
from tests.conftest import PG_URL
from tests.fixtures import TEST_SETTINGS, busy_account

DATA = Path(__file__).parent.parent / "data"


def _books(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                tuple(row)
                for row in conn.execute(
                    text("SELECT number, balance, held FROM accounts ORDER BY number")
                )
            ]
    finally:
        engine.dispose()


def _a_bank(url: str) -> None:
    bank = open_bank(url, create=True, settings=TEST_SETTINGS)
    try:
        busy_account(bank)
    finally:
        bank.close()


def test_a_sqlite_backup_restores_into_a_new_database_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = f"sqlite:///{tmp_path / 'bank.db'}"
    _a_bank(source)
    copy = tmp_path / "copy.db"
    assert main(["--db", source, "backup", "--out", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"revision {head_revision()}" in out and "key fingerprint" in out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == [
        "copy.db"
    ]  # one self-contained file
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    assert main(["--db", target, "restore", str(copy)]) == 0
    assert "verified:" in capsys.readouterr().out
    assert _books(target) == _books(source)
    # A second restore over a bank is refused, and changes nothing, without --force.
    _a_bank(f"sqlite:///{tmp_path / 'other.db'}")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    before = _books(other)
    assert main(["--db", other, "restore", str(copy)]) == 2
    assert "--force" in capsys.readouterr().err
    assert _books(other) == before
    assert main(["--db", other, "restore", str(copy), "--force"]) == 0
    assert _books(other) == _books(source)


def test_a_0_1_0_backup_is_upgraded_when_restored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(DATA / "bank-0.1.0.db", old)
    shutil.copyfile(DATA / "bank-0.1.0.key", tmp_path / "bankapp.key")
    os.chmod(tmp_path / "bankapp.key", 0o600)
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    assert main(["--db", target, "restore", str(old)]) == 0
    out = capsys.readouterr().out
    assert "revision 0001" in out and f"upgrading it to {head_revision()}" in out
    assert "verified:" in out


def test_init_backs_up_an_older_database_before_upgrading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANKAPP_HOME", str(tmp_path / "home"))
    db = tmp_path / "bank.db"
    shutil.copyfile(DATA / "bank-0.1.0.db", db)
    shutil.copyfile(DATA / "bank-0.1.0.key", tmp_path / "bankapp.key")
    os.chmod(tmp_path / "bankapp.key", 0o600)
    assert main(["--db", f"sqlite:///{db}", "init"]) == 0
    out = capsys.readouterr().out
    assert "at revision 0001" in out and "backed up first to" in out
    assert "0004: tamper evidence" in out and "verified after the upgrade" in out
    [backup] = (tmp_path / "home" / "backups").iterdir()
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    finally:
        conn.close()


def test_a_file_that_is_not_a_backup_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    target = tmp_path / "restored.db"
    assert main(["--db", f"sqlite:///{target}", "restore", str(junk)]) == 2
    assert "not a bankapp backup" in capsys.readouterr().err
    assert not target.exists()


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two throwaway databases on the PostgreSQL server (a dump is of a whole database)."""
    if not PG_URL:
        pytest.skip("PostgreSQL leg skipped: BANKAPP_TEST_DATABASE_URL is not set")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail("pg_dump and pg_restore are needed for the PostgreSQL leg")
    names = [f"bk_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f"CREATE DATABASE {name}"))
    base = make_url(PG_URL)
    try:
        yield tuple(base.set(database=n).render_as_string(hide_password=False) for n in names)  # type: ignore[misc]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_a_postgresql_dump_restores_into_an_empty_database_and_verifies(
    pg_databases: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = pg_databases
    _a_bank(source)
    dump = tmp_path / "bank.dump"
    assert main(["--db", source, "backup", "--out", str(dump)]) == 0
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert dump.read_bytes().startswith(b"PGDMP")
    assert main(["--db", target, "restore", str(dump)]) == 0
    assert "verified:" in capsys.readouterr().out
    assert _books(target) == _books(source)
    assert main(["--db", target, "restore", str(dump)]) == 2  # a bank is there now
    assert main(["--db", target, "restore", str(dump), "--force"]) == 0
    assert _books(target) == _books(source)


def test_two_backups_in_the_same_second_get_two_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    from bankapp.storage.backup import back_up

    monkeypatch.setenv("BANKAPP_HOME", str(tmp_path / "home"))
    source = f"sqlite:///{tmp_path / 'bank.db'}"
    _a_bank(source)
    now = datetime(2026, 12, 1, 9, 0, 0)
    first, second = back_up(source, None, now), back_up(source, None, now)
    assert not isinstance(first, list) and not isinstance(second, list)
    assert first.path != second.path and first.path.parent == second.path.parent
    assert sorted(p.name for p in first.path.parent.iterdir()) == [
        "bank-20261201-090000-2.db",
        "bank-20261201-090000.db",
    ]
