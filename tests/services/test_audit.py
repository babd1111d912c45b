"""The audit trail: every sign-in and money movement is recorded, and the hash chain exposes
edited, deleted or reordered rows."""

from __future__ import annotations

import contextlib

from sqlalchemy import delete, select, update

from bankapp.bank import Bank
from bankapp.errors import InvalidCredentials
from bankapp.storage.models import AuditEvent
from tests.fixtures import PASSWORD, as_attacker, audit_kinds, busy_account, make_customer

_events = AuditEvent


def test_every_login_and_money_movement_is_audited(bank: Bank) -> None:
    busy_account(bank)
    kinds = audit_kinds(bank)
    assert kinds == [
        "user.create",  # alice
        "account.open",
        "user.create",  # the counter's teller and supervisor, who take her cash
        "drawer.open",
        "user.create",
        "money.deposit",
        "money.atm_withdrawal",
        "money.atm_withdrawal",
        "money.atm_withdrawal",
    ]
    make_customer(bank, "bob")
    bank.auth.login("bob", PASSWORD)
    with contextlib.suppress(InvalidCredentials):
        bank.auth.login("bob", "wrong password entirely")
    kinds = audit_kinds(bank)
    assert kinds[-3:] == ["user.create", "login.success", "login.failure"]


def test_an_edited_audit_row_is_named(bank: Bank) -> None:
    busy_account(bank)
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            update(_events).where(_events.c.seq == 3).values(subject="entry 999")
        ),
    )
    report = bank.verify_audit()
    assert not report.ok
    assert report.problems[0].startswith("audit row seq 3")


def test_a_deleted_audit_row_is_named(bank: Bank) -> None:
    busy_account(bank)
    as_attacker(bank, lambda tx: tx.conn.execute(delete(_events).where(_events.c.seq == 2)))
    assert "sequence 3 where 2 was expected" in bank.verify_audit().problems[0]


def test_deleting_the_newest_audit_rows_is_found(bank: Bank) -> None:
    busy_account(bank)
    as_attacker(bank, lambda tx: tx.conn.execute(delete(_events).where(_events.c.seq >= 6)))
    assert "head records seq" in bank.verify_audit().problems[0]


def test_swapping_two_audit_rows_is_found(bank: Bank) -> None:
    busy_account(bank)
    rows = bank.db.read(
        lambda tx: tx.conn.execute(
            select(_events).where(_events.c.seq.in_([2, 3])).order_by(_events.c.seq)
        ).all()
    )

    def swap(tx: object) -> None:
        conn = tx.conn  # type: ignore[attr-defined]
        for row, other in ((rows[0], rows[1]), (rows[1], rows[0])):
            conn.execute(
                update(_events)
                .where(_events.c.id == row.id)
                .values(kind=other.kind, subject=other.subject, details=other.details)
            )

    as_attacker(bank, swap)
    assert bank.verify_audit().problems[0].startswith("audit row seq 2")
