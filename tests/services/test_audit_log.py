"""The audit log for admins: newest first, paged and filtered; and its chain check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Role
from bankapp.errors import PermissionDenied, ValidationFailed
from bankapp.services.audit_log import AuditFilter
from bankapp.storage.models import AuditEvent
from tests.fixtures import as_attacker, funded_account, make_customer, make_staff


def test_the_audit_log_pages_newest_first_and_filters(bank: Bank, clock: FixedClock) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    alice = make_customer(bank, "alice")
    clock.advance(timedelta(days=1))
    account = funded_account(bank, alice, 1_000)
    for _ in range(4):
        bank.payments.withdraw(alice, account, 100)
    everything = bank.audit_log.page(boss, limit=1000).lines
    seqs = [line.seq for line in everything]
    assert seqs == sorted(seqs, reverse=True)
    first = bank.audit_log.page(boss, limit=3)
    second = bank.audit_log.page(boss, before_seq=first.next_cursor, limit=3)
    assert [line.seq for line in first.lines + second.lines] == seqs[:6]
    by_alice = bank.audit_log.page(boss, filters=AuditFilter(user="alice")).lines
    assert by_alice and {line.actor_name for line in by_alice} == {"alice"}
    money = bank.audit_log.page(boss, filters=AuditFilter(kind="money.")).lines
    assert [line.kind for line in money] == ["money.atm_withdrawal"] * 4 + ["money.deposit"]
    today = clock.now().date()
    assert bank.audit_log.page(boss, filters=AuditFilter(since=today)).lines
    assert not bank.audit_log.page(boss, filters=AuditFilter(until=today - timedelta(days=2))).lines
    with pytest.raises(ValidationFailed):
        bank.audit_log.page(boss, filters=AuditFilter(since=today, until=today - timedelta(1)))
    with pytest.raises(PermissionDenied):
        bank.audit_log.page(alice)


def test_verify_finds_an_edited_audit_row(bank: Bank) -> None:
    boss = make_staff(bank, "boss", Role.ADMIN)
    make_customer(bank, "alice")
    assert bank.audit_log.verify(boss).ok
    events = AuditEvent
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            update(events).where(events.c.seq == 1).values(subject="user mallory")
        ),
    )
    report = bank.audit_log.verify(boss)
    assert not report.ok and "seq 1" in report.problems[0]
    with pytest.raises(PermissionDenied):
        bank.audit_log.verify(make_customer(bank, "bob"))
