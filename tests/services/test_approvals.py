"""Maker-checker: over-threshold staff operations and closures wait for another admin."""

from __future__ import annotations

from typing import Any

import pytest

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, AccountStatus, Role
from bankapp.errors import (
    ApprovalRequired,
    ApprovalState,
    IdempotencyConflict,
    InsufficientFunds,
    PermissionDenied,
    ValidationFailed,
)
from tests.fixtures import audit_kinds, entry_count, funded_account, make_customer, make_staff

Branch = dict[str, Any]
THRESHOLD = 1_000_000  # Settings().approval_threshold_cents


@pytest.fixture
def branch(bank: Bank) -> Branch:
    teller = make_staff(bank, "tina", Role.TELLER)
    admin = make_staff(bank, "ada", Role.ADMIN)
    other_admin = make_staff(bank, "otto", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 3_000_000)
    bank.drawers.open_drawer(teller, 5_000_000)
    return {
        "teller": teller,
        "admin": admin,
        "other_admin": other_admin,
        "alice": alice,
        "account": account,
    }


def test_staff_cannot_move_more_than_the_threshold_directly(bank: Bank, branch: Branch) -> None:
    with pytest.raises(ApprovalRequired):
        bank.payments.withdraw(branch["teller"], branch["account"], THRESHOLD + 1)
    bank.payments.withdraw(branch["teller"], branch["account"], THRESHOLD)  # at the line: fine
    assert bank.approvals.needs_approval(branch["teller"], THRESHOLD + 1)
    assert not bank.approvals.needs_approval(branch["alice"], THRESHOLD + 1)


def test_a_pending_withdrawal_moves_nothing_until_an_admin_approves(
    bank: Bank, branch: Branch
) -> None:
    before = entry_count(bank)
    item = bank.approvals.submit(
        branch["teller"], "withdrawal", branch["account"], 1_500_000, memo="Car purchase"
    )
    assert item.status == "pending" and item.maker_name == "tina"
    assert entry_count(bank) == before
    assert bank.accounts.get(branch["alice"], branch["account"]).balance == 3_000_000
    approved = bank.approvals.approve(branch["admin"], item.id)
    assert approved.status == "approved" and approved.checker_name == "ada"
    assert approved.entry_id is not None
    assert bank.accounts.get(branch["alice"], branch["account"]).balance == 1_500_000
    # The cash left the maker's drawer.
    assert bank.drawers.current(branch["teller"]).cash_on_hand == 3_500_000  # type: ignore[union-attr]
    assert "approval.submit" in audit_kinds(bank) and audit_kinds(bank)[-1] == "approval.approve"
    assert bank.verify().ok


def test_the_maker_cannot_approve_their_own_request(bank: Bank, branch: Branch) -> None:
    item = bank.approvals.submit(
        branch["admin"],
        "transfer",
        branch["account"],
        1_200_000,
        to_account_number=_second_account(bank, branch),
    )
    with pytest.raises(ApprovalState):
        bank.approvals.approve(branch["admin"], item.id)
    with pytest.raises(ApprovalState):
        bank.approvals.reject(branch["admin"], item.id, "changed my mind")
    assert bank.approvals.get(branch["admin"], item.id).status == "pending"
    bank.approvals.approve(branch["other_admin"], item.id)
    assert bank.accounts.get(branch["alice"], branch["account"]).balance == 1_800_000


def test_a_teller_cannot_approve_anything(bank: Bank, branch: Branch) -> None:
    other = make_staff(bank, "ted", Role.TELLER)
    bank.drawers.open_drawer(other, 0)
    item = bank.approvals.submit(other, "deposit", branch["account"], 2_000_000)
    with pytest.raises(PermissionDenied):
        bank.approvals.approve(branch["teller"], item.id)
    assert bank.approvals.get(branch["admin"], item.id).status == "pending"


def test_approval_rechecks_funds_at_approval_time(bank: Bank, branch: Branch) -> None:
    item = bank.approvals.submit(branch["teller"], "withdrawal", branch["account"], 2_500_000)
    bank.payments.transfer(
        branch["alice"], branch["account"], _second_account(bank, branch), 1_000_000
    )  # the customer spends in the meantime
    before = entry_count(bank)
    with pytest.raises(InsufficientFunds):
        bank.approvals.approve(branch["admin"], item.id)
    assert entry_count(bank) == before
    assert bank.accounts.get(branch["alice"], branch["account"]).balance == 2_000_000
    failed = bank.approvals.get(branch["admin"], item.id)
    assert failed.status == "failed" and "Insufficient funds" in failed.reason
    with pytest.raises(ApprovalState):
        bank.approvals.approve(branch["admin"], item.id)
    assert audit_kinds(bank)[-1] == "approval.failed"
    assert bank.verify().ok


def test_rejection_records_the_reason_and_moves_nothing(bank: Bank, branch: Branch) -> None:
    item = bank.approvals.submit(branch["teller"], "deposit", branch["account"], 2_000_000)
    before = entry_count(bank)
    with pytest.raises(ValidationFailed):
        bank.approvals.reject(branch["admin"], item.id, "   ")
    rejected = bank.approvals.reject(branch["admin"], item.id, "Source of funds not shown")
    assert (rejected.status, rejected.reason) == ("rejected", "Source of funds not shown")
    assert entry_count(bank) == before
    assert bank.accounts.get(branch["alice"], branch["account"]).balance == 3_000_000
    assert audit_kinds(bank)[-1] == "approval.reject"
    with pytest.raises(ApprovalState):
        bank.approvals.approve(branch["other_admin"], item.id)


def test_the_queue_shows_admins_everything_and_tellers_their_own(
    bank: Bank, branch: Branch
) -> None:
    ids = [
        bank.approvals.submit(branch["teller"], "deposit", branch["account"], 1_100_000 + i).id
        for i in range(5)
    ]
    page = bank.approvals.page(branch["admin"], limit=2)
    assert [i.id for i in page.items] == ids[::-1][:2] and page.next_cursor is not None
    rest = bank.approvals.page(branch["admin"], before_id=page.next_cursor, limit=10)
    assert [i.id for i in rest.items] == ids[::-1][2:] and rest.next_cursor is None
    ted = make_staff(bank, "ted", Role.TELLER)
    assert bank.approvals.page(ted).items == ()
    assert len(bank.approvals.page(branch["teller"]).items) == 5
    with pytest.raises(PermissionDenied):
        bank.approvals.page(branch["alice"])


def test_submitting_twice_with_one_key_creates_one_item(bank: Bank, branch: Branch) -> None:
    first = bank.approvals.submit(
        branch["teller"], "deposit", branch["account"], 1_100_000, idempotency_key="form-1"
    )
    again = bank.approvals.submit(
        branch["teller"], "deposit", branch["account"], 1_100_000, idempotency_key="form-1"
    )
    assert again.id == first.id
    with pytest.raises(IdempotencyConflict):
        bank.approvals.submit(
            branch["teller"], "deposit", branch["account"], 1_200_000, idempotency_key="form-1"
        )


def test_closing_an_account_with_history_needs_approval(bank: Bank, branch: Branch) -> None:
    alice = branch["alice"]
    spare = bank.accounts.open(alice, AccountKind.SAVINGS, "Spare")
    bank.payments.transfer(alice, branch["account"], spare.number, 100)
    bank.payments.transfer(alice, spare.id, bank.accounts.get(alice, branch["account"]).number, 100)
    with pytest.raises(ApprovalRequired):
        bank.accounts.close(branch["teller"], spare.id)
    item = bank.approvals.submit_account_closure(branch["teller"], spare.id, reason="Asked")
    assert bank.accounts.get(alice, spare.id).status == AccountStatus.OPEN
    bank.approvals.approve(branch["admin"], item.id)
    assert bank.accounts.get(alice, spare.id).status == AccountStatus.CLOSED
    # An account that never moved money closes at once, even by staff.
    empty = bank.accounts.open(branch["teller"], AccountKind.SAVINGS, owner_id=alice.user_id)
    assert bank.accounts.close(branch["teller"], empty.id).status == AccountStatus.CLOSED
    assert bank.verify().ok


def test_a_cash_approval_fails_when_the_makers_drawer_was_closed(
    bank: Bank, branch: Branch
) -> None:
    item = bank.approvals.submit(branch["teller"], "withdrawal", branch["account"], 1_500_000)
    bank.drawers.close_drawer(branch["teller"], 5_000_000)
    with pytest.raises(Exception) as refused:
        bank.approvals.approve(branch["admin"], item.id)
    assert refused.value.__class__.__name__ == "DrawerRequired"
    assert bank.approvals.get(branch["admin"], item.id).status == "failed"
    assert bank.accounts.get(branch["alice"], branch["account"]).balance == 3_000_000


def _second_account(bank: Bank, branch: Branch) -> str:
    return bank.accounts.open(branch["alice"], AccountKind.SAVINGS, "Second").number
