"""Installation settings kept in the database: a supervisor asks, a second supervisor approves,
every workstation then uses the new value; the local operator's `settings set`; and every
way a change is refused without changing anything."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bankapp.bank import Bank, open_bank
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import ApprovalState, RequestOutdated, ValidationFailed
from bankapp.storage.models import User
from tests.fixtures import (
    TEST_SETTINGS,
    audit_details,
    fund,
    make_customer,
    make_staff,
)


def supervisors(bank: Bank) -> tuple[Actor, Actor]:
    return make_staff(bank, "sam", Role.ADMIN), make_staff(bank, "sue", Role.ADMIN)


def shown(bank: Bank, name: str) -> str:
    return next(v.value for v in bank.operator.settings() if v.name == name)


def test_a_change_waits_for_a_second_supervisor_then_applies_at_once(bank: Bank) -> None:
    maker, checker = supervisors(bank)
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    source = bank.accounts.open(alice, AccountKind.CHECKING).id
    target = bank.accounts.open(bob, AccountKind.CHECKING)
    fund(bank, source, 500_000)

    item = bank.bank_settings.propose(maker, "transfer_out_daily_limit", "100.00", reason="fraud")

    assert item.status == "pending" and item.label == "Change setting"
    assert item.memo == "Daily transfers to others: $5,000.00 → $100.00 (fraud)"
    assert bank.settings.transfer_out_daily_limit_cents == 500_000  # nothing yet
    with pytest.raises(ApprovalState):
        bank.approvals.approve(maker, item.id)  # four eyes
    waiting = {v.name: v.pending for v in bank.bank_settings.show(checker)}
    assert waiting["transfer_out_daily_limit"] == (item.id,)

    assert bank.approvals.approve(checker, item.id).status == "approved"

    assert bank.settings.transfer_out_daily_limit_cents == 10_000
    with pytest.raises(Exception) as refused:
        bank.payments.transfer(alice, source, target.number, 20_000)
    assert getattr(refused.value, "code", "") == "daily_limit_exceeded"
    view = next(v for v in bank.bank_settings.show(checker) if v.name == "transfer_out_daily_limit")
    assert (view.value, view.default, view.changed_by, view.pending) == (
        "$100.00",
        "$5,000.00",
        "sue",
        (),
    )
    changes = audit_details(bank, "setting.change")
    assert changes == [
        {"name": "transfer_out_daily_limit", "old": 500_000, "new": 10_000, "approval": item.id}
    ]


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("atm_daily_limit", "12 5", "no spaces"),
        ("atm_daily_limit", "-5", "positive"),
        ("atm_daily_limit", "1,000.00", "already"),
        ("clearing_delay", "15", "from 0 days to 14 days"),
        ("clearing_delay", "two", "whole number of days"),
        ("interest_rate_savings", "2.555", "at most 2 decimals"),
        ("interest_rate_savings", "25", "from 0.00% to 20.00%"),
        ("currency", "EUR", "cannot be changed"),
        ("no_such_setting", "1", "no setting"),
        ("bank_name", "Evil\x1b[2J Bank", "control"),
        ("password_min_length", "8", ""),  # valid: the control case below must differ
        ("credit_limit_min", "60,000.00", "smallest credit limit would be above the largest"),
        ("password_hash_memory", "1024", "from 19,456 KiB"),
    ],
)
def test_a_bad_change_is_refused_when_asked_for_and_files_nothing(
    bank: Bank, name: str, value: str, says: str
) -> None:
    maker, _ = supervisors(bank)
    before = bank.approvals.page(maker).items
    if not says:
        assert bank.bank_settings.propose(maker, name, value).status == "pending"
        return
    with pytest.raises(ValidationFailed) as refused:
        bank.bank_settings.propose(maker, name, value)
    assert says in refused.value.message.lower() or says in refused.value.message
    assert bank.approvals.page(maker).items == before


def test_two_changes_asked_from_the_same_value_apply_once_the_other_fails(bank: Bank) -> None:
    maker, checker = supervisors(bank)
    first = bank.bank_settings.propose(maker, "atm_daily_limit", "1,200")
    second = bank.bank_settings.propose(maker, "atm_daily_limit", "1,300")

    bank.approvals.approve(checker, first.id)
    with pytest.raises(RequestOutdated):
        bank.approvals.approve(checker, second.id)

    assert bank.settings.atm_daily_limit_cents == 120_000
    assert bank.approvals.get(checker, second.id).status == "failed"
    assert len(audit_details(bank, "setting.change")) == 1


def test_a_change_that_no_longer_fits_the_other_settings_fails_at_approval(bank: Bank) -> None:
    maker, checker = supervisors(bank)
    teller_limit = bank.bank_settings.propose(maker, "teller_credit_approval_max", "40,000")
    largest = bank.bank_settings.propose(maker, "credit_limit_max", "30,000")  # fine alone

    bank.approvals.approve(checker, teller_limit.id)
    with pytest.raises(RequestOutdated) as refused:
        bank.approvals.approve(checker, largest.id)

    assert "teller's credit approval limit" in refused.value.message
    assert bank.settings.credit_limit_max_cents == 5_000_000
    assert bank.approvals.get(checker, largest.id).status == "failed"


def test_a_rejected_change_changes_nothing(bank: Bank) -> None:
    maker, checker = supervisors(bank)
    item = bank.bank_settings.propose(maker, "lockout_after", "7")
    bank.approvals.reject(checker, item.id, "Not now")
    assert bank.settings.lockout_after == 5
    assert audit_details(bank, "setting.change") == []


def test_another_workstation_uses_the_new_value(bank: Bank, database_url: str) -> None:
    other = open_bank(database_url, settings=TEST_SETTINGS)
    try:
        other.ctx.live.interval_ms = 0  # look at every transaction (default: every 2 s)
        alice = make_customer(bank, "alice")
        other.accounts.list_accounts(alice)  # reads its settings before the change
        assert other.settings.atm_daily_limit_cents == 100_000

        bank.operator.set_setting("atm_daily_limit", "250")
        other.accounts.list_accounts(alice)

        assert other.settings.atm_daily_limit_cents == 25_000
    finally:
        other.close()


def test_the_operator_sets_a_value_audited_as_the_operator(bank: Bank) -> None:
    change = bank.operator.set_setting("session-idle-timeout", "10")

    assert (change.old, change.new) == ("5,256,000 minutes", "10 minutes")  # TEST_SETTINGS
    assert shown(bank, "session_idle_timeout") == "10 minutes"
    assert bank.settings.session_idle_timeout.total_seconds() == 600
    view = next(v for v in bank.operator.settings() if v.name == "session_idle_timeout")
    assert view.changed_by == "operator" and not view.is_default
    with pytest.raises(ValidationFailed):
        bank.operator.set_setting("session_idle_timeout", "10")  # already
    assert len(audit_details(bank, "setting.change")) == 1
    assert bank.verify().ok and bank.verify_audit().ok


def test_new_password_hashes_use_a_changed_cost(bank: Bank) -> None:
    bank.operator.set_setting("password_hash_memory", "20,480")
    make_customer(bank, "carol")
    users = User
    digest = bank.db.read(
        lambda tx: tx.conn.execute(
            select(users.c.password_hash).where(users.c.username == "carol")
        ).scalar_one()
    )
    assert "m=20480," in digest
