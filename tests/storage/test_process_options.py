"""The process's options: every `BANKAPP_*` variable is read and typed in one module, a bad
value is refused by name, and `bankapp where` shows each option and where it came from."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bankapp.errors import ProcessOptionInvalid
from bankapp.storage import process_options as options
from bankapp.storage.engine import busy_timeout_ms
from bankapp.storage.locations import config_path, data_home, database_url_from_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in options.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_nothing_set_means_every_default(clean_environment: pytest.MonkeyPatch) -> None:
    found = options.process_options()
    assert found == options.ProcessOptions()
    assert found.given == frozenset()
    assert busy_timeout_ms() == options.DEFAULT_BUSY_TIMEOUT_MS


def test_each_variable_is_typed_and_an_empty_one_is_unset(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_environment.setenv(options.HOME, "~/branch-7")
    clean_environment.setenv(options.CONFIG, f" {tmp_path}/mine.toml ")
    clean_environment.setenv(options.LOG_DIR, "")
    clean_environment.setenv(options.BUSY_TIMEOUT_MS, "2_500")
    clean_environment.setenv(options.DATABASE_URL, "postgresql+psycopg://teller@db/bank")

    found = options.process_options()

    assert found.home == Path.home() / "branch-7"
    assert found.config == tmp_path / "mine.toml"
    assert found.log_dir is None and found.source(options.LOG_DIR) == "default"
    assert found.busy_timeout_ms == 2_500 and busy_timeout_ms() == 2_500
    assert data_home() == Path.home() / "branch-7" and config_path() == tmp_path / "mine.toml"
    assert database_url_from_env() == "postgresql+psycopg://teller@db/bank"
    assert database_url_from_env("sqlite:///x.db") == "sqlite:///x.db"  # --db wins
    assert found.given == {
        options.HOME,
        options.CONFIG,
        options.BUSY_TIMEOUT_MS,
        options.DATABASE_URL,
    }


def test_the_secret_key_is_never_in_the_options_repr(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv(options.SECRET_KEY, "ab" * 32)
    found = options.process_options()
    assert found.secret_key == "ab" * 32
    assert "ab" * 32 not in repr(found)


def test_a_changed_environment_is_seen(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv(options.BUSY_TIMEOUT_MS, "100")
    assert busy_timeout_ms() == 100
    clean_environment.setenv(options.BUSY_TIMEOUT_MS, "200")
    assert busy_timeout_ms() == 200


@pytest.mark.parametrize("value", ["soon", "0", "-5", "1.5", "600001"])
def test_a_bad_busy_timeout_is_refused_by_name(
    clean_environment: pytest.MonkeyPatch, value: str
) -> None:
    clean_environment.setenv(options.BUSY_TIMEOUT_MS, value)
    with pytest.raises(ProcessOptionInvalid) as refused:
        options.process_options()
    assert options.BUSY_TIMEOUT_MS in refused.value.message and repr(value) in refused.value.message


def _bankapp(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in options.VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "bankapp", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
    )


def test_the_command_line_names_a_bad_option_without_a_traceback(tmp_path: Path) -> None:
    done = _bankapp(
        "where", env={options.BUSY_TIMEOUT_MS: "soon", options.HOME: str(tmp_path)}, cwd=tmp_path
    )
    assert done.returncode == 2
    assert "BANKAPP_BUSY_TIMEOUT_MS is 'soon'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_where_shows_every_option_and_where_it_came_from(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = _bankapp(
        "where",
        env={
            options.HOME: str(home),
            options.DATABASE_URL: "postgresql+psycopg://teller:hunter2@db.branch/bank",
            options.KEY_FILE: str(tmp_path / "branch.key"),
            options.BUSY_TIMEOUT_MS: "750",
        },
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split("  ")[0]: line for line in done.stdout.splitlines()}
    assert str(home) in rows["data folder"] and "(BANKAPP_HOME)" in rows["data folder"]
    assert "hunter2" not in done.stdout
    assert "teller:***@db.branch/bank" in rows["database"]
    assert "(BANKAPP_DATABASE_URL)" in rows["database"]
    assert str(tmp_path / "branch.key") in rows["installation key"]
    assert "(BANKAPP_KEY_FILE)" in rows["installation key"]
    assert "(default)" in rows["config"] and "(default)" in rows["logs"]
    assert str(home / "logs") in rows["logs"] and str(home / "exports") in rows["exports"]
    assert "750 ms" in rows["busy timeout"] and "(BANKAPP_BUSY_TIMEOUT_MS)" in rows["busy timeout"]


def _environment_reads(source: str, where: str) -> list[str]:
    """`os.environ[...]`, `os.environ.get(...)` and `os.getenv(...)` reads of a BANKAPP_
    name given as a literal in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        target: ast.expr | None = None
        if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ"):
            target = node.slice
        elif isinstance(node, ast.Call) and node.args:
            called = ast.unparse(node.func)
            if called.endswith(("environ.get", "getenv", "environ.setdefault")):
                target = node.args[0]
        if isinstance(target, ast.Constant) and str(target.value).startswith("BANKAPP_"):
            found.append(f"{where}:{node.lineno} {target.value}")
    return found


def test_the_environment_is_read_in_one_module() -> None:
    """One home: a `BANKAPP_*` variable read anywhere but process_options would skip its
    checks and drift from what `bankapp where` says. (The bench's own database URL for
    PostgreSQL is a harness option, not the program's.)"""
    home = ROOT / "bankapp" / "storage" / "process_options.py"
    sources = [*(ROOT / "bankapp").rglob("*.py"), *(ROOT / "screens").rglob("*.py")]
    reads = [
        read
        for path in sources
        if path != home
        for read in _environment_reads(path.read_text(encoding="utf-8"), str(path))
        if "BANKAPP_TEST_DATABASE_URL" not in read
    ]
    assert reads == []
    planted = (
        'import os\nos.environ.get("BANKAPP_X")\nos.getenv("BANKAPP_Y")\nos.environ["BANKAPP_Z"]\n'
    )
    assert len(_environment_reads(planted, "planted")) == 3  # the scan can see a stray read
