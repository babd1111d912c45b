"""The statements a money movement sends to the driver directly (`direct_statements`) read
and write exactly what they read and write through SQLAlchemy, on both databases: the same
rows with the same Python values (a datetime, a boolean, a date), the same stored text, and
a driver error raised as SQLAlchemy's, so `Database` retries and translates it as before."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from bankapp.bank import Bank
from bankapp.services import access, audit, ledger, limits, sessions
from bankapp.storage.direct_statements import fetch_one, fetch_rows, fetch_value
from bankapp.storage.models import Account, JournalEntry
from tests.fixtures import fund, funded_account, make_customer

_accounts = Account
_entries = JournalEntry


def _through_sqlalchemy(conn: Connection, statement: Any, params: dict[str, Any]) -> list[Any]:
    return [tuple(row) for row in conn.execute(statement, params)]


def _same_reads(conn: Connection, statement: Any, params: dict[str, Any]) -> list[Any]:
    direct = fetch_rows(conn, statement, params)
    assert [tuple(row) for row in direct] == _through_sqlalchemy(conn, statement, params)
    return direct


def test_reads_give_what_sqlalchemy_gives(bank: Bank) -> None:
    customer = make_customer(bank, "direct_reader")
    account = bank.db.read(
        lambda tx: access.load_account(tx, funded_account(bank, customer, 12_345))
    )
    session_hash = sessions.token_hash(customer.session)

    def check(tx: Any) -> None:
        session = _same_reads(tx.conn, sessions._FIND, {"token_hash": session_hash})
        assert isinstance(session[0].created_at, datetime)
        assert session[0].username == "direct_reader"
        by_id = _same_reads(tx.conn, access._ACCOUNT_BY_ID, {"account_id": account.id})
        assert by_id[0].balance == 12_345 and by_id[0].unbounded is False
        assert isinstance(by_id[0].opened_at, datetime)
        by_number = _same_reads(tx.conn, access._ACCOUNT_BY_NUMBER, {"number": account.number})
        assert by_number == by_id
        assert _same_reads(tx.conn, ledger._REPLAY, {"key": "never-used"}) == []
        head = _same_reads(tx.conn, audit._LOCK_HEAD, {})
        assert head[0].seq > 0
        assert fetch_one(tx.conn, access._ACCOUNT_BY_ID, {"account_id": 10**12}) is None

    bank.db.read(check)


def test_writes_store_what_sqlalchemy_stores(bank: Bank) -> None:
    customer = make_customer(bank, "direct_writer")
    account_id = funded_account(bank, customer, 50_000)
    at = datetime(2026, 12, 3, 9, 30, 0, 0)  # no microseconds: SQLite's text must still agree
    row = {
        "kind": "transfer",
        "memo": "direct • memo",
        "actor_id": customer.user_id,
        "created_at": at,
        "idempotency_key": None,
        "request_hash": None,
        "card_id": None,
    }

    def write(tx: Any) -> tuple[int, int]:
        direct = fetch_value(tx.conn, ledger._NEW_ENTRY, row)
        through = tx.conn.execute(ledger._NEW_ENTRY, row).scalar_one()
        return direct, through

    direct, through = bank.db.write(write)

    def stored(tx: Any) -> None:
        text_of = select(_entries.c.created_at.cast(_entries.c.memo.type)).where(
            _entries.c.id.in_([direct, through])
        )
        assert len(set(tx.conn.execute(text_of).scalars())) == 1
        read = tx.conn.execute(
            select(_entries.c.kind, _entries.c.memo, _entries.c.created_at).where(
                _entries.c.id.in_([direct, through])
            )
        ).all()
        assert [tuple(r) for r in read] == [("transfer", "direct • memo", at)] * 2

    bank.db.read(stored)

    def apply(tx: Any) -> list[Any]:
        moved = [fetch_value(tx.conn, ledger._APPLY, {"account_id": account_id, "amount": -1})]
        refused = fetch_value(
            tx.conn, ledger._APPLY, {"account_id": account_id, "amount": -(10**9)}
        )
        moved.append(refused)
        moved.append(
            tx.conn.execute(ledger._APPLY, {"account_id": account_id, "amount": -1}).scalar()
        )
        tx.conn.execute(  # leave the books as they were: this test wrote no postings
            update(_accounts).where(_accounts.c.id == account_id).values(balance=50_000)
        )
        return moved

    assert bank.db.write(apply) == [49_999, None, 49_998]


def test_a_conditional_upsert_counts_as_sqlalchemy_counts(bank: Bank) -> None:
    customer = make_customer(bank, "direct_counter")
    statement = limits._ADD[bank.db.dialect]
    day = date(2026, 12, 3)

    def count(tx: Any) -> list[Any]:
        values = {"customer": customer.user_id, "day": day, "total_kind": "probe"}
        return [
            fetch_value(tx.conn, statement, {**values, "amount": 60, "ceiling": 100}),
            tx.conn.execute(statement, {**values, "amount": 30, "ceiling": 100}).scalar(),
            fetch_value(tx.conn, statement, {**values, "amount": 20, "ceiling": 100}),
            fetch_value(tx.conn, statement, {**values, "amount": 10, "ceiling": 100}),
        ]

    assert bank.db.write(count) == [60, 90, None, 100]


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(bank: Bank) -> None:
    customer = make_customer(bank, "direct_duplicate")
    account_id = funded_account(bank, customer, 100)
    entry = {
        "kind": "transfer",
        "memo": "",
        "actor_id": customer.user_id,
        "created_at": datetime(2026, 12, 3),
        "idempotency_key": "direct-duplicate",
        "request_hash": None,
        "card_id": None,
    }
    bank.db.write(lambda tx: fetch_value(tx.conn, ledger._NEW_ENTRY, entry))
    with pytest.raises(IntegrityError), bank.db.engine.begin() as conn:
        fetch_value(conn, ledger._NEW_ENTRY, entry)
    fund(bank, account_id, 1)  # the pool still works after the failed statement
    assert bank.db.read(lambda tx: access.load_account(tx, account_id).balance) == 101


def test_a_statement_missing_a_parameter_is_refused_before_it_runs(bank: Bank) -> None:
    def missing(tx: Any) -> None:
        fetch_rows(tx.conn, ledger._APPLY, {"account_id": 1})

    with pytest.raises(ValueError, match="amount"):
        bank.db.read(missing)


def test_a_parameter_used_twice_is_converted_once(bank: Bank) -> None:
    customer = make_customer(bank, "direct_twice")
    account_id = funded_account(bank, customer, 1_000)
    opened_after = datetime(2000, 1, 1, 0, 0, 0)
    statement = select(_accounts.c.id).where(
        _accounts.c.id == bindparam("account_id"),
        _accounts.c.opened_at > bindparam("since"),
        _accounts.c.opened_at != bindparam("since"),
    )
    params = {"account_id": account_id, "since": opened_after}
    rows = bank.db.read(lambda tx: _same_reads(tx.conn, statement, params))
    assert [row.id for row in rows] == [account_id]
