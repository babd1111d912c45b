"""End-of-day report per drawer and per kind; the audit log reader and its chain check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import Role
from bankapp.errors import PermissionDenied, ValidationFailed
from bankapp.services.audit_log import AuditFilter
from bankapp.storage.models import AuditEvent, table_of
from tests.fixtures import funded_account, make_customer, make_staff


def test_end_of_day_shows_each_drawer_and_totals_per_kind(bank: Bank, clock: FixedClock) -> None:
    tina = make_staff(bank, "tina", Role.TELLER)
    ted = make_staff(bank, "ted", Role.TELLER)
    boss = make_staff(bank, "boss", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 50_000)
    bank.drawers.open_drawer(tina, 10_000)
    bank.payments.deposit(tina, account, 3_000)
    bank.payments.deposit(tina, account, 1_000)
    bank.payments.withdraw(tina, account, 2_500)
    bank.drawers.close_drawer(tina, 11_400)
    bank.drawers.open_drawer(ted, 5_000)
    report = bank.reports.end_of_day(boss)
    assert report.day == clock.now().date()
    first, second = report.drawers
    assert (first.teller, first.opening_float, first.cash_in, first.cash_out) == (
        "tina",
        10_000,
        4_000,
        2_500,
    )
    assert (first.expected, first.counted, first.difference) == (11_500, 11_400, -100)
    assert (second.teller, second.status, second.expected, second.counted) == (
        "ted",
        "open",
        5_000,
        None,
    )
    kinds = {k.kind: (k.count, k.total) for k in report.kinds}
    assert kinds["deposit"] == (3, 54_000) and kinds["withdrawal"] == (1, 2_500)
    assert report.total_difference == -100
    # A teller sees their own drawers only; another day is empty.
    assert [d.teller for d in bank.reports.end_of_day(ted).drawers] == ["ted"]
    assert bank.reports.end_of_day(boss, date(2020, 1, 1)).drawers == ()
    with pytest.raises(PermissionDenied):
        bank.reports.end_of_day(alice)


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
    assert [line.kind for line in money] == ["money.withdrawal"] * 4 + ["money.deposit"]
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
    events = table_of(AuditEvent)
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(events).where(events.c.seq == 1).values(subject="user mallory")
        )
    )
    report = bank.audit_log.verify(boss)
    assert not report.ok and "seq 1" in report.problems[0]
    with pytest.raises(PermissionDenied):
        bank.audit_log.verify(make_customer(bank, "bob"))
