"""Shared fixtures: a fresh bank per test on SQLite (a temp file) and, when
BANKAPP_TEST_DATABASE_URL is set, on PostgreSQL too (a fresh schema per test)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.settings import OWASP_MINIMUM, Settings

PG_URL = os.environ.get("BANKAPP_TEST_DATABASE_URL", "")
FROZEN_NOW = datetime(2026, 11, 20, 10, 30, 0)
PASSWORD = "a-long-test-passphrase"
# Tests hash at the OWASP floor: the production default costs more and proves nothing extra.
TEST_SETTINGS = Settings(hash_parameters=OWASP_MINIMUM)

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


@pytest.fixture(scope="session", autouse=True)
def _installation_key_outside_the_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Databases without a folder of their own (PostgreSQL) keep the installation key in
    ./data; tests point it at a temporary file instead, unless a test sets its own."""
    if "BANKAPP_KEY_FILE" in os.environ or "BANKAPP_SECRET_KEY" in os.environ:
        yield
        return
    path = tmp_path_factory.mktemp("key") / "bankapp.key"
    path.write_text(os.urandom(32).hex())
    path.chmod(0o600)
    os.environ["BANKAPP_KEY_FILE"] = str(path)
    try:
        yield
    finally:
        os.environ.pop("BANKAPP_KEY_FILE", None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty database, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_bank(f"sqlite:///{path}", create=True, settings=TEST_SETTINGS).close()
    return path


def pg_schema_url(schema: str) -> str:
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{schema}"


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


def make_customer(bank: Bank, username: str, full_name: str | None = None) -> Actor:
    user = bank.auth.create_user(
        None,
        username=username,
        password=PASSWORD,
        role=Role.CUSTOMER,
        full_name=full_name or username.capitalize() + " Tester",
        email=f"{username}@example.com",
        must_change_password=False,
    )
    return Actor(user.id, user.username, user.role)


def make_staff(bank: Bank, username: str, role: Role) -> Actor:
    user = bank.auth.create_user(
        None,
        username=username,
        password=PASSWORD,
        role=role,
        full_name=username.capitalize() + " Staff",
        email=f"{username}@bank.example",
        must_change_password=False,
    )
    return Actor(user.id, user.username, user.role)


def funded_account(
    bank: Bank, actor: Actor, cents: int, kind: AccountKind = AccountKind.CHECKING
) -> int:
    account = bank.accounts.open(actor, kind)
    if cents:
        bank.payments.deposit(actor, account.id, cents)
    return account.id
