"""Shared fixtures: a fresh bank per test on SQLite (a temp file) and, when
BANKAPP_TEST_DATABASE_URL is set, on PostgreSQL too (a fresh database per test).

Both are copies of an empty database migrated once per test process: a file copy on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL (50 ms instead of a 1 s migration)."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from tests import fixtures
from tests.fixtures import (
    FROZEN_NOW,
    PASSWORD,
    SESSION_SETTINGS,
    TEST_SETTINGS,
    funded_account,
    installation_key_outside_the_repo,
    make_customer,
    make_staff,
    no_configured_installation_key,
    private_key_file,
)

# The builders live in tests/fixtures.py; these names stay importable from here, and the
# key fixtures are registered for every test by being named in this module.
__all__ = [
    "FROZEN_NOW",
    "PASSWORD",
    "TEST_SETTINGS",
    "funded_account",
    "installation_key_outside_the_repo",
    "make_customer",
    "make_staff",
    "no_configured_installation_key",
    "private_key_file",
]

PG_URL = os.environ.get("BANKAPP_TEST_DATABASE_URL", "")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The slow tests first: the workers share out the rest meanwhile, instead of one worker
    # still building a wheel when everything else has finished.
    items.sort(key=lambda item: "slow" not in item.keywords)
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL leg skipped: BANKAPP_TEST_DATABASE_URL is not set")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not PG_URL:
        terminalreporter.write_line(
            "PostgreSQL leg skipped: set BANKAPP_TEST_DATABASE_URL to run it "
            "(.ci/run does when a server answers)."
        )


@pytest.fixture(scope="session", autouse=True)
def logs_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The bank's log is configured once per process, by the first CLI call a test makes;
    without this it would land in the checkout's data/logs, and every later incident too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BANKAPP_LOG_DIR", str(tmp_path_factory.mktemp("logs")))
        yield


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    """A migrated empty database, built once and copied for each test."""
    return fixtures.sqlite_template()


def pg_database_url(name: str) -> str:
    """PG_URL with its database replaced by `name` (the password kept)."""
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@functools.cache
def _pg_admin() -> Engine:
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@functools.cache
def pg_template() -> str:
    """A migrated empty database on the PostgreSQL server, made once per test process (an
    xdist worker) and dropped when its session ends (`pytest_sessionfinish`)."""
    name = f"tmpl_{uuid.uuid4().hex[:12]}"
    with _pg_admin().connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    open_bank(pg_database_url(name), create=True, settings=TEST_SETTINGS).close()
    return name


def pytest_sessionfinish(session: pytest.Session) -> None:
    if pg_template.cache_info().currsize:
        with _pg_admin().connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {pg_template()} WITH (FORCE)"))


@contextmanager
def fresh_database(backend: str, tmp_path: Path, template: Path) -> Iterator[str]:
    """The URL of an empty, migrated database on `backend`, removed afterwards."""
    if backend == "sqlite":
        path = tmp_path / "bank.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    with pg_database(pg_template()) as url:
        yield url


@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """The URL of a new database on the PostgreSQL server (a copy of `template`, or empty),
    dropped afterwards whoever is still connected to it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    copy = f" TEMPLATE {template}" if template else ""
    with _pg_admin().connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}{copy}"))
    try:
        yield pg_database_url(name)
    finally:
        with _pg_admin().connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """An empty, migrated database on each backend."""
    with fresh_database(request.param, tmp_path, sqlite_template) as url:
        yield url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FROZEN_NOW)


@pytest.fixture
def bank(database_url: str, clock: FixedClock) -> Iterator[Bank]:
    """A fresh, empty bank on each backend, with a frozen clock."""
    b = open_bank(database_url, clock=clock, settings=TEST_SETTINGS)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def strict_bank(database_url: str, clock: FixedClock) -> Iterator[Bank]:
    """A bank with the production session limits (5 minutes idle, 12 hours in all)."""
    b = open_bank(database_url, clock=clock, settings=SESSION_SETTINGS)
    try:
        yield b
    finally:
        b.close()
