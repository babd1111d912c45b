"""Builders the tests share: users, funded accounts, card purchases, what the audit trail holds,
and where the installation key lives while a test runs."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bankapp.bank import Bank, open_bank
from bankapp.demo.acting import operator_session
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.passwords import OWASP_MINIMUM
from bankapp.domain.types import AccountKind, AccountView, Actor, Role
from bankapp.errors import ApprovalRequired
from bankapp.services.auth.user_rows import user_view
from bankapp.settings import Settings
from bankapp.storage import installation_key as keys
from bankapp.storage.models import AuditEvent, JournalEntry, User

FROZEN_NOW = datetime(2026, 11, 20, 10, 30, 0)
PASSWORD = "a-long-test-passphrase"
# Tests hash at the OWASP floor: the production default costs more and proves nothing extra.
# Sessions do not time out while a test moves its clock by days; the tests of the idle and
# absolute timeouts use SESSION_SETTINGS, the production limits.
SESSION_SETTINGS = Settings(hash_parameters=OWASP_MINIMUM)
TEST_SETTINGS = replace(
    SESSION_SETTINGS,
    session_idle_timeout=timedelta(days=3650),
    session_max_age=timedelta(days=3650),
)


# -- empty databases ------------------------------------------------------------------------


@functools.cache
def sqlite_template() -> Path:
    """An empty SQLite database migrated to head once per test process (a migration costs
    about a second; a copy, a millisecond). Only the database: each copy makes its own key."""
    path = Path(tempfile.mkdtemp(prefix="bankapp-template-")) / "template.db"
    open_bank(f"sqlite:///{path}", create=True, settings=TEST_SETTINGS).close()
    return path


def migrated_sqlite(folder: Path) -> str:
    """The URL of a new, empty, migrated SQLite database `bank.db` in `folder`."""
    path = folder / "bank.db"
    shutil.copyfile(sqlite_template(), path)
    return f"sqlite:///{path}"


# -- people and accounts --------------------------------------------------------------------


def make_user(
    bank: Bank, username: str, role: Role, *, full_name: str, email: str, phone: str = ""
) -> Actor:
    """A user the local operator created with PASSWORD, no password change due, and an open
    session (the operator's, so staff need no second factor here; `sign_in` tests the real
    way in)."""
    user = bank.operator.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        full_name=full_name,
        email=email,
        phone=phone,
        must_change_password=False,
    )
    return operator_session(bank, user)


def acting_as(bank: Bank, username: str) -> Actor:
    """An active session of an existing user (a demo user, say), opened by the operator."""
    users = User
    user_id = bank.db.read(
        lambda tx: tx.conn.execute(
            select(users.c.id).where(users.c.username == username)
        ).scalar_one()
    )
    return operator_session(bank, bank.db.read(lambda tx: user_view(tx, user_id)))


def session_for(bank: Bank, actor: Actor) -> Actor:
    """A fresh active session for the same user (after the clock moved past the idle
    timeout, say)."""
    return operator_session(bank, bank.db.read(lambda tx: user_view(tx, actor.user_id)))


def make_customer(bank: Bank, username: str, full_name: str | None = None) -> Actor:
    full_name = full_name or username.capitalize() + " Tester"
    return make_user(
        bank, username, Role.CUSTOMER, full_name=full_name, email=f"{username}@example.com"
    )


def make_staff(bank: Bank, username: str, role: Role) -> Actor:
    full_name = username.capitalize() + " Staff"
    return make_user(bank, username, role, full_name=full_name, email=f"{username}@bank.example")


COUNTER_TELLER = "counter_teller"
COUNTER_SUPERVISOR = "counter_supervisor"
FUNDER = "counter_funder"


def counter_staff(bank: Bank) -> tuple[Actor, Actor]:
    """A teller with an open drawer and a supervisor, who fund tests' accounts the way money
    reaches an account at a bank: cash at the counter (over the day's approval threshold,
    approved by the supervisor). Created on first use, with fresh sessions each call."""
    users = User

    def existing(name: str) -> int | None:
        return bank.db.read(
            lambda tx: tx.conn.execute(
                select(users.c.id).where(users.c.username == name)
            ).scalar_one_or_none()
        )

    teller_id, supervisor_id = existing(COUNTER_TELLER), existing(COUNTER_SUPERVISOR)
    if teller_id is None:
        teller = make_staff(bank, COUNTER_TELLER, Role.TELLER)
        bank.drawers.open_drawer(teller, 0)  # it only takes cash in
    else:
        teller = acting_as(bank, COUNTER_TELLER)
    supervisor = (
        make_staff(bank, COUNTER_SUPERVISOR, Role.ADMIN)
        if supervisor_id is None
        else acting_as(bank, COUNTER_SUPERVISOR)
    )
    return teller, supervisor


def cash_in(bank: Bank, account_id: int, cents: int) -> None:
    """`cents` paid in cash at the counter into `account_id`, available at once (it counts
    towards the holder's day, like any cash)."""
    teller, supervisor = counter_staff(bank)
    try:
        bank.payments.deposit(teller, account_id, cents)
    except ApprovalRequired:
        item = bank.approvals.submit(teller, "deposit", account_id, cents)
        bank.approvals.approve(supervisor, item.id)


def cash_out(bank: Bank, account_id: int, cents: int) -> None:
    """`cents` paid out in cash at the counter from `account_id` (approved when over the
    day's threshold); InsufficientFunds when the account cannot pay it."""
    teller, supervisor = counter_staff(bank)
    try:
        bank.payments.withdraw(teller, account_id, cents)
    except ApprovalRequired:
        item = bank.approvals.submit(teller, "withdrawal", account_id, cents)
        bank.approvals.approve(supervisor, item.id)


def fund(bank: Bank, account_id: int, cents: int) -> None:
    """Put `cents` (available) into `account_id` by a transfer from the test funder, whose
    account takes the cash at the counter: the money comes from somewhere real, and the
    holder's own day of cash and transfers (what the approval threshold sums) is untouched."""
    teller, supervisor = counter_staff(bank)
    funder = _funder_account(bank)
    cash_in(bank, funder.id, cents)
    target = bank.accounts.get(teller, account_id).number
    try:
        bank.payments.transfer(teller, funder.id, target, cents, memo="Funding")
    except ApprovalRequired:
        item = bank.approvals.submit(teller, "transfer", funder.id, cents, to_account_number=target)
        bank.approvals.approve(supervisor, item.id)


def _funder_account(bank: Bank) -> AccountView:
    teller, _ = counter_staff(bank)
    users = User
    funder_id = bank.db.read(
        lambda tx: tx.conn.execute(
            select(users.c.id).where(users.c.username == FUNDER)
        ).scalar_one_or_none()
    )
    if funder_id is None:
        funder = make_customer(bank, FUNDER, "Test Funder")
        return bank.accounts.open(funder, AccountKind.CHECKING, "Funding")
    return bank.accounts.list_accounts(teller, owner_id=funder_id)[0]


def funded_account(
    bank: Bank, actor: Actor, cents: int, kind: AccountKind = AccountKind.CHECKING
) -> int:
    """A new account of `actor`'s holding `cents`, available: one cash deposit at the counter
    (none for zero). It counts towards the holder's day; tests of the daily threshold fund
    with `fund` instead."""
    account = bank.accounts.open(actor, kind)
    if cents:
        cash_in(bank, account.id, cents)
    return account.id


def busy_account(bank: Bank) -> int:
    """alice's checking account after a $100 deposit and withdrawals of $1, $2 and $3: four
    journal entries, eight postings and six audit events in all."""
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 10_000)
    for amount in (100, 200, 300):
        bank.payments.withdraw(alice, account, amount)
    return account


# -- cards ----------------------------------------------------------------------------------


def approved_application(
    bank: Bank, applicant: Actor, limit: int, *, owner_id: int | None = None
) -> int:
    """A credit card application `applicant` made (for themselves, or staff for `owner_id`),
    approved with the limit asked for by the counter supervisor; its id."""
    _, supervisor = counter_staff(bank)
    application = bank.cards.apply_for_credit(applicant, limit, owner_id=owner_id)
    bank.approvals.approve(supervisor, application.id)
    return application.id


def settle(bank: Bank) -> None:
    """Run the clearing a close of business runs: due deposits clear, authorisations settle."""
    _, supervisor = counter_staff(bank)
    bank.clearing.process_due(supervisor)


def credit_card(
    bank: Bank, applicant: Actor, limit: int, *, owner_id: int | None = None
) -> IssuedCard:
    """A credit card issued the only way there is: from an approved application."""
    application = approved_application(bank, applicant, limit, owner_id=owner_id)
    return bank.cards.issue_credit(applicant, application)


def buy(
    bank: Bank,
    actor: Actor,
    card: IssuedCard,
    amount: int,
    merchant: str = "Corner Shop",
    **changes: str,
) -> int:
    """Make a purchase presenting the card's details (or altered ones); the available balance
    after it was authorised."""
    details = {"pan": card.pan, "expiry": card.card.expiry, "cvv": card.cvv, **changes}
    result = bank.cards.purchase(actor, merchant=merchant, amount=amount, **details)
    return result.available_after


# -- what the books hold --------------------------------------------------------------------


def audit_kinds(bank: Bank) -> list[str]:
    """The kind of every audit event, oldest first."""
    events = AuditEvent
    return list(
        bank.db.read(
            lambda tx: tx.conn.execute(select(events.c.kind).order_by(events.c.seq)).scalars().all()
        )
    )


def audit_details(bank: Bank, kind: str) -> list[dict[str, Any]]:
    """The details of every audit event of `kind`, oldest first."""
    events = AuditEvent
    rows = bank.db.read(
        lambda tx: (
            tx.conn.execute(
                select(events.c.details).where(events.c.kind == kind).order_by(events.c.seq)
            )
            .scalars()
            .all()
        )
    )
    return [json.loads(row) for row in rows]


def entry_count(bank: Bank) -> int:
    """How many journal entries the ledger holds."""
    entries = JournalEntry
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(select(func.count()).select_from(entries)).scalar_one()
        )
    )


# -- the installation key -------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def installation_key_outside_the_repo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Databases without a folder of their own (PostgreSQL) keep the installation key in
    ./data; tests point it at a temporary file instead, unless a test sets its own."""
    if keys.ENV_KEY_FILE in os.environ or keys.ENV_KEY in os.environ:
        yield
        return
    path = tmp_path_factory.mktemp("key") / "bankapp.key"
    path.write_text(os.urandom(32).hex())
    path.chmod(0o600)
    os.environ[keys.ENV_KEY_FILE] = str(path)
    try:
        yield
    finally:
        os.environ.pop(keys.ENV_KEY_FILE, None)


@pytest.fixture
def no_configured_installation_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Neither a key nor a key file in the environment, and no key cached: the bank finds or
    creates its own, beside the database."""
    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.delenv(keys.ENV_KEY_FILE, raising=False)
    keys.forget_cached_keys()
    yield
    keys.forget_cached_keys()


@pytest.fixture
def private_key_file(
    no_configured_installation_key: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """Each test gets its own installation key file (PostgreSQL has no folder to put one in)."""
    path = tmp_path / "test.key"
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(path))
    return path


def sqlite_dump(db: Path) -> list[str]:
    """The schema and every table's rows as text, to prove a command changed nothing.
    (`iterdump` cannot read the contentless FTS5 memo index; the shadow tables that hold
    what it indexes are ordinary tables and are dumped with the rest.)"""
    conn = sqlite3.connect(db)
    try:
        out: list[str] = []
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master ORDER BY type, name"):
            out.append(sql or "")
            if sql and sql.upper().startswith("CREATE TABLE"):
                out.extend(repr(row) for row in conn.execute(f'SELECT * FROM "{name}"'))
        return out
    finally:
        conn.close()


def drop_append_only_guards(conn: Any) -> None:
    """Do what someone with write access to the database would do first: remove the
    triggers that keep the ledger and the audit trail append-only (an SQLAlchemy connection
    or a sqlite3 one, inside the caller's transaction)."""
    from bankapp.storage.models import APPEND_ONLY_TABLES

    dialect = getattr(getattr(conn, "dialect", None), "name", "sqlite")
    run = conn.exec_driver_sql if hasattr(conn, "exec_driver_sql") else conn.execute
    if dialect == "postgresql":
        for table in APPEND_ONLY_TABLES:
            run(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        return
    names = run("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for (name,) in names:
        if name.endswith(("_no_update", "_no_delete")):
            run(f"DROP TRIGGER {name}")


def as_attacker(bank: Any, work: Any) -> Any:
    """Run `work(tx)` in one write transaction with the append-only guards removed."""

    def tampering(tx: Any) -> Any:
        drop_append_only_guards(tx.conn)
        return work(tx)

    return bank.db.write(tampering)
