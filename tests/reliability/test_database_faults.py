"""Database faults through the real `bankapp` command: each gives one clear line on stderr, a
non-zero exit, no traceback, and leaves the database as it was."""

from __future__ import annotations

import asyncio
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fixtures import sqlite_dump
from tests.workload import run_cli

PASSWORD = "a-long-test-passphrase-x"


def bankapp(db: Path, *args: str, tmp: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {"BANKAPP_LOG_DIR": str(tmp / "logs"), **kwargs.pop("env", {})}  # type: ignore[dict-item]
    return run_cli("--db", f"sqlite:///{db}", *args, env=env, **kwargs)  # type: ignore[arg-type]


def assert_clear_failure(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Non-zero exit, exactly one `bankapp: ...` line on stderr naming the problem."""
    output = result.stdout + result.stderr
    assert result.returncode not in (0, None), output
    assert "Traceback" not in output and "incident" not in output, output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bankapp: "), result.stderr
    assert len(lines[0]) < 240, lines[0]
    for word in words:
        assert word in lines[0].lower(), lines[0]
    return lines[0]


def dump(db: Path) -> list[str]:
    """The database's content as SQL, to prove a failed command changed nothing."""
    return sqlite_dump(db)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with a user in it, made once by `bankapp init` and `create-user`."""
    tmp = tmp_path_factory.mktemp("faults")
    db = tmp / "template.db"
    assert bankapp(db, "init", tmp=tmp).returncode == 0
    made = bankapp(
        db,
        "create-user",
        "alice",
        "--full-name",
        "Alice A",
        "--email",
        "a@example.com",
        "--password-stdin",
        tmp=tmp,
        input=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "bank.db"
    path.write_bytes(template.read_bytes())
    return path


def test_a_missing_folder_is_named_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "bank.db"
    line = assert_clear_failure(bankapp(target, "init", tmp=tmp_path), "does not exist")
    assert str(target.parent) in line
    assert not target.parent.exists()


def test_a_missing_database_says_how_to_create_one(tmp_path: Path) -> None:
    result = bankapp(tmp_path / "absent.db", "verify", tmp=tmp_path)
    assert_clear_failure(result, "no database", "bankapp init")
    assert not (tmp_path / "absent.db").exists()


def refusal_on_the_sign_in_screen(db: Path) -> str:
    """What the terminal UI says on its sign-in screen when started on `db` the way `bankapp`
    starts it (the bank opened in a worker behind the screen)."""
    from textual.widgets import Static

    from bankapp.bank import open_bank
    from screens.app import make_app
    from tests.ui.helpers import SIZE, settle

    async def started() -> str:
        app = make_app(lambda: open_bank(f"sqlite:///{db}"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert type(app.screen).__name__ == "LoginScreen"
            return str(app.screen.query_one("#login-error", Static).render())

    return asyncio.run(started())


@pytest.mark.parametrize("command", [["verify"], ["init"], []], ids=["verify", "init", "ui"])
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "notes.db"
    content = b"Dear diary, today I kept my accounts in a text file.\n" * 40
    path.write_bytes(content)
    if command:
        assert_clear_failure(bankapp(path, *command, tmp=tmp_path), "not a sqlite file")
    else:
        assert "not a sqlite file" in refusal_on_the_sign_in_screen(path).lower()
    assert path.read_bytes() == content


@pytest.mark.parametrize("region", ["first page", "later pages"])
def test_a_corrupted_database_is_reported_as_damaged(db: Path, tmp_path: Path, region: str) -> None:
    data = bytearray(db.read_bytes())
    start, end = (100, 4096) if region == "first page" else (8192, len(data))
    rng = random.Random(region)
    for i in range(start, end):
        data[i] = rng.randrange(256)
    db.write_bytes(bytes(data))
    for command in (["verify"], ["init"]):
        assert_clear_failure(bankapp(db, *command, tmp=tmp_path), "damaged")
        assert db.read_bytes() == bytes(data)


def test_a_database_from_a_newer_bankapp_is_refused_untouched(db: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = dump(db)
    home = tmp_path / "home"
    for command in (["verify"], ["init"]):
        run = bankapp(db, *command, tmp=tmp_path, env={"BANKAPP_HOME": str(home)})
        assert "9999_from_the_future" in assert_clear_failure(run, "newer")
    assert not home.exists()  # refused before anything, a backup included, was written
    assert "9999_from_the_future" in refusal_on_the_sign_in_screen(db)
    assert dump(db) == before


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` unwritable even for root (the immutable attribute), or by mode otherwise."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.fail(f"cannot make {path} read-only as root: {made.stderr!r}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        yield
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)


def test_a_read_only_database_is_refused_without_writing(db: Path, tmp_path: Path) -> None:
    before = dump(db)
    with read_only(db):
        for command in (["verify"], ["unlock", "alice"]):
            assert_clear_failure(bankapp(db, *command, tmp=tmp_path), "read-only")
    assert dump(db) == before


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not kills
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_saves_nothing_and_says_so(db: Path, tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    before = dump(db)
    result = bankapp(
        db,
        "create-user",
        "bob",
        "--full-name",
        "Bob B",
        "--email",
        "b@example.com",
        "--password-stdin",
        tmp=tmp_path,
        input=PASSWORD + "\n",
        preexec_fn=lambda: _limit_file_size(4096),
    )
    line = assert_clear_failure(result, "nothing was saved")
    assert "disk" in line
    assert dump(db) == before
    assert bankapp(db, "verify", tmp=tmp_path).returncode == 0


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_a_lock_held_past_the_busy_timeout_is_reported_as_busy(db: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = bankapp(
            db,
            "create-user",
            "carol",
            "--full-name",
            "Carol C",
            "--email",
            "c@example.com",
            "--password-stdin",
            tmp=tmp_path,
            input=PASSWORD + "\n",
            env={"BANKAPP_BUSY_TIMEOUT_MS": "100"},
        )
        assert_clear_failure(result, "busy", "try again")
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM users WHERE username = 'carol'").fetchone() == (0,)
    conn.close()
    again = bankapp(
        db,
        "create-user",
        "carol",
        "--full-name",
        "Carol C",
        "--email",
        "c@example.com",
        "--password-stdin",
        tmp=tmp_path,
        input=PASSWORD + "\n",
    )
    assert again.returncode == 0, again.stderr
