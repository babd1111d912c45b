"""`verify` re-derives the books; the audit chain exposes edited, deleted or reordered rows."""

from __future__ import annotations

import contextlib

from sqlalchemy import delete, select, update

from bankapp.bank import Bank
from bankapp.errors import InvalidCredentials
from bankapp.storage.models import Account, AuditEvent, Posting
from tests.fixtures import PASSWORD, audit_kinds, funded_account, make_customer

_events = AuditEvent.__table__


def busy_bank(bank: Bank) -> int:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 10_000)
    for amount in (100, 200, 300):
        bank.payments.withdraw(alice, account, amount)
    return account


def test_a_clean_bank_verifies(bank: Bank) -> None:
    busy_bank(bank)
    report = bank.verify()
    assert report.ok, report.problems
    assert report.entries == 4 and report.postings == 8
    assert report.audit_events == 6  # user, account, a deposit and three withdrawals


def test_every_login_and_money_movement_is_audited(bank: Bank) -> None:
    busy_bank(bank)
    kinds = audit_kinds(bank)
    assert kinds == [
        "user.create",
        "account.open",
        "money.deposit",
        "money.withdrawal",
        "money.withdrawal",
        "money.withdrawal",
    ]
    make_customer(bank, "bob")
    bank.auth.login("bob", PASSWORD)
    with contextlib.suppress(InvalidCredentials):
        bank.auth.login("bob", "wrong password entirely")
    kinds = audit_kinds(bank)
    assert kinds[-3:] == ["user.create", "login.success", "login.failure"]


def test_an_edited_balance_is_found(bank: Bank) -> None:
    account = busy_bank(bank)
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(Account.__table__).where(Account.__table__.c.id == account).values(balance=1)
        )
    )
    report = bank.verify()
    assert not report.ok
    assert any(f"account {account}" in p and "postings sum to 9400" in p for p in report.problems)


def test_an_edited_posting_unbalances_its_entry_and_running_balance(bank: Bank) -> None:
    busy_bank(bank)
    postings = Posting.__table__
    first = bank.db.read(
        lambda tx: tx.conn.execute(
            select(postings.c.id, postings.c.entry_id).order_by(postings.c.id).limit(1)
        ).one()
    )
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(postings).where(postings.c.id == first.id).values(amount=postings.c.amount + 1)
        )
    )
    problems = bank.verify().problems
    assert any(f"journal entry {first.entry_id}" in p for p in problems)
    assert any(f"posting {first.id}" in p for p in problems)


def test_an_edited_audit_row_is_named(bank: Bank) -> None:
    busy_bank(bank)
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(_events).where(_events.c.seq == 3).values(subject="entry 999")
        )
    )
    report = bank.verify_audit()
    assert not report.ok
    assert report.problems[0].startswith("audit row seq 3")


def test_a_deleted_audit_row_is_named(bank: Bank) -> None:
    busy_bank(bank)
    bank.db.write(lambda tx: tx.conn.execute(delete(_events).where(_events.c.seq == 2)))
    assert "sequence 3 where 2 was expected" in bank.verify_audit().problems[0]


def test_deleting_the_newest_audit_rows_is_found(bank: Bank) -> None:
    busy_bank(bank)
    bank.db.write(lambda tx: tx.conn.execute(delete(_events).where(_events.c.seq >= 6)))
    assert "head records seq" in bank.verify_audit().problems[0]


def test_swapping_two_audit_rows_is_found(bank: Bank) -> None:
    busy_bank(bank)
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

    bank.db.write(swap)
    assert bank.verify_audit().problems[0].startswith("audit row seq 2")
