"""The `bankapp` command: clear errors and exit codes, never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

BANKAPP = str(Path(sys.executable).parent / "bankapp")


def run(
    *args: str, cwd: Path | None = None, stdin: str | None = None, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BANKAPP_LOG_DIR": str(Path(tempfile.gettempdir()) / "bankapp-test-logs")}
    env.pop("BANKAPP_DATABASE_URL", None)
    if home is not None:
        env["BANKAPP_HOME"] = str(home)
    return subprocess.run(
        [BANKAPP, *args], capture_output=True, text=True, cwd=cwd, env=env, input=stdin, timeout=120
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1, result.stderr


def test_init_then_verify_on_a_new_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bank.db"
    assert run("--db", url, "init").returncode == 0
    assert run("--db", url, "init").returncode == 0  # idempotent upgrade
    result = run("--db", url, "verify")
    assert result.returncode == 0
    assert "OK" in result.stdout


def test_demo_creates_a_verified_bank_and_refuses_to_overwrite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    created = run("--db", url, "demo")
    assert created.returncode == 0, created.stderr
    assert "bank-demo-2026!" in created.stdout
    assert run("--db", url, "verify").returncode == 0
    assert run("--db", url, "audit", "verify").returncode == 0
    assert_clean_error(run("--db", url, "demo"), "already exists")


def test_create_user_reads_the_password_from_stdin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bank.db"
    run("--db", url, "init")
    made = run(
        "--db",
        url,
        "create-user",
        "zoe",
        "--role",
        "teller",
        "--full-name",
        "Zoe Z",
        "--email",
        "zoe@bank.example",
        "--password-stdin",
        stdin="a strong teller passphrase\n",
    )
    assert made.returncode == 0, made.stderr
    assert "created teller 'zoe'" in made.stdout
    weak = run(
        "--db",
        url,
        "create-user",
        "yan",
        "--full-name",
        "Yan",
        "--email",
        "yan@example.com",
        "--password-stdin",
        stdin="short\n",
    )
    assert_clean_error(weak, "at least 15 characters")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@localhost/x", "Unsupported database"),
        ("sqlite:////nonexistent-dir/bank.db", "No database at"),
    ],
)
def test_unusable_urls_get_a_clear_message(url: str, words: str) -> None:
    assert_clean_error(run("--db", url, "verify"), words)


def test_a_missing_folder_is_reported_on_init() -> None:
    assert_clean_error(run("--db", "sqlite:////nonexistent-dir/bank.db", "init"), "does not exist")


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 10)
    assert_clean_error(run("--db", f"sqlite:///{path}", "verify"), "not a bankapp database")


def test_a_read_only_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bank.db"
    assert run("--db", url, "init").returncode == 0
    command = [BANKAPP, "--db", url, "verify"]
    if os.geteuid() == 0:
        # Root ignores file modes: mount the folder read-only in a private mount namespace.
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare: cannot make a read-only file")
        script = (
            f"mount --bind {tmp_path} {tmp_path} && mount -o remount,ro,bind {tmp_path} "
            f'&& exec "$@"'
        )
        command = ["unshare", "-m", "sh", "-c", script, "sh", *command]
    else:
        (tmp_path / "bank.db").chmod(0o444)
        tmp_path.chmod(0o555)
    env = {**os.environ, "BANKAPP_LOG_DIR": str(tmp_path.parent / "logs")}
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    finally:
        tmp_path.chmod(0o755)
    assert_clean_error(result, "read-only")


def test_a_database_from_a_newer_bankapp_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bank.db"
    run("--db", f"sqlite:///{path}", "init")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    home = tmp_path / "home"
    assert_clean_error(run("--db", f"sqlite:///{path}", "verify"), "newer than this bankapp")
    assert_clean_error(
        run("--db", f"sqlite:///{path}", "init", home=home), "newer than this bankapp"
    )
    assert not home.exists()  # refused before the upgrade's backup was made


def test_an_empty_sqlite_file_asks_for_init(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    assert_clean_error(run("--db", f"sqlite:///{path}", "verify"), "run `bankapp init`")


@pytest.mark.usefixtures("no_configured_installation_key")
def test_bankapp_init_creates_the_key_file_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bankapp.cli.main import main

    monkeypatch.setenv("BANKAPP_LOG_DIR", str(tmp_path / "logs"))
    assert main(["--db", f"sqlite:///{tmp_path}/bank.db", "init"]) == 0
    path = tmp_path / "bankapp.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert str(path) in out
    assert path.read_text().strip() not in out


HEAVY = (
    "sqlalchemy",
    "alembic",
    "pydantic",
    "argon2",
    "textual",
    "bankapp.bank",
    "bankapp.services",
)


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["verify", "--no-such-flag"]])
def test_help_version_and_argument_errors_import_nothing_heavy(argv: list[str]) -> None:
    """They answer before the database layer, the services or the UI are imported."""
    probe = (
        "import sys\n"
        "from bankapp.cli.main import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_settings_show_and_set_by_the_operator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bank.db"
    run("--db", url, "init")

    changed = run("--db", url, "settings", "set", "atm_daily_limit", "1,500")
    shown = run("--db", url, "settings", "show")

    assert changed.returncode == 0, changed.stderr
    assert "Daily ATM cash (atm_daily_limit): $1,000.00 → $1,500.00" in changed.stdout
    line = next(row for row in shown.stdout.splitlines() if row.startswith("atm_daily_limit"))
    assert "$1,500.00" in line and "set by operator" in line and "default $1,000.00" in line
    assert "default" in next(r for r in shown.stdout.splitlines() if r.startswith("lockout_after"))
    assert_clean_error(run("--db", url, "settings", "set", "atm_daily_limit", "lots"), "not an")
    assert_clean_error(run("--db", url, "settings", "set", "nonsense", "1"), "no setting")
    assert_clean_error(run("--db", url, "settings", "set", "currency", "EUR"), "cannot be changed")
    assert run("--db", url, "verify").returncode == 0
