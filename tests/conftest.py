"""Shared fixtures: a fresh bank per test on SQLite (a temp file) and, when
BANKAPP_TEST_DATABASE_URL is set, on PostgreSQL too (a fresh schema per test)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from tests.fixtures import (
    FROZEN_NOW,
    PASSWORD,
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty database, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_bank(f"sqlite:///{path}", create=True, settings=TEST_SETTINGS).close()
    return path


def pg_schema_url(schema: str) -> str:
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{schema}"


def shared_extensions(conn: Connection) -> None:
    """pg_trgm in `public` before any test schema's migration looks for it, one process at a
    time: made inside a test's schema it would be dropped with it, and take every other
    schema's trigram index along."""
    conn.execute(text("SELECT pg_advisory_xact_lock(20261206)"))
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))


@contextmanager
def fresh_database(backend: str, tmp_path: Path, template: Path) -> Iterator[str]:
    """The URL of an empty, migrated database on `backend`, removed afterwards."""
    if backend == "sqlite":
        path = tmp_path / "bank.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        shared_extensions(conn)
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = pg_schema_url(schema)
    try:
        open_bank(url, create=True, settings=TEST_SETTINGS).close()
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


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
