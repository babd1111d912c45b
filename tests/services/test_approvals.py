"""Maker-checker: staff operations that take a customer's day over the threshold, closures,
drawer opening cash and counts out of bounds wait for another admin; a cash request stays with the
drawer that took the cash."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, AccountStatus, Role
from bankapp.errors import (
    AccountNotEmpty,
    ApprovalRequired,
    ApprovalState,
    DrawerState,
    IdempotencyConflict,
    InsufficientFunds,
    PermissionDenied,
    ValidationFailed,
)
from tests.fixtures import (
    acting_as,
    audit_kinds,
    entry_count,
    fund,
    funded_account,
    make_customer,
    make_staff,
)

Branch = dict[str, Any]
THRESHOLD = 1_000_000  # Settings().approval_threshold_cents


@pytest.fixture
def branch(bank: Bank) -> Branch:
    teller = make_staff(bank, "tina", Role.TELLER)
    admin = make_staff(bank, "ada", Role.ADMIN)
    other_admin = make_staff(bank, "otto", Role.ADMIN)
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    fund(bank, account, 3_000_000)  # by transfer: alice's own day starts at nothing
    big_opening = bank.approvals.submit_opening_cash(teller, 5_000_000)
    bank.approvals.approve(admin, big_opening.id)  # $50,000 opening cash: over the maximum
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
    assert bank.approvals.needs_approval(branch["teller"], branch["account"], THRESHOLD + 1)
    bank.payments.withdraw(branch["teller"], branch["account"], THRESHOLD)  # at the line: fine
    assert bank.approvals.needs_approval(branch["teller"], branch["account"], 1)
    assert not bank.approvals.needs_approval(branch["alice"], branch["account"], THRESHOLD + 1)


def test_splitting_cash_under_the_threshold_does_not_avoid_approval(
    bank: Bank, branch: Branch
) -> None:
    """The attack: $11,000 as two withdrawals under the $10,000 threshold. The threshold is
    on the customer's day, so the second goes pending and moves nothing."""
    teller, account = branch["teller"], branch["account"]
    bank.payments.withdraw(teller, account, 550_000)
    before = entry_count(bank)
    with pytest.raises(ApprovalRequired, match=r"today come to \$5,500\.00"):
        bank.payments.withdraw(teller, account, 550_000)
    assert entry_count(bank) == before
    # Another teller, or a transfer out, is the same customer's same day.
    other = make_staff(bank, "ted", Role.TELLER)
    bank.drawers.open_drawer(other, 500_000)
    with pytest.raises(ApprovalRequired):
        bank.payments.withdraw(other, account, 460_000)
    with pytest.raises(ApprovalRequired):
        bank.payments.transfer(teller, account, _stranger_account(bank), 460_000)
    bank.payments.withdraw(other, account, 450_000)  # up to the threshold exactly: fine
    assert bank.accounts.get(branch["alice"], account).balance == 3_000_000 - 1_000_000
    assert bank.verify().ok


def test_credit_moved_out_in_pieces_still_reaches_a_supervisor(bank: Bank, branch: Branch) -> None:
    """The attack: a teller moves a customer's credit line out in $9,999.99 pieces."""
    teller, alice = branch["teller"], branch["alice"]
    application = bank.cards.apply_for_credit(teller, 5_000_000, owner_id=alice.user_id)
    bank.approvals.approve(branch["admin"], application.id)
    card = bank.cards.issue_credit(teller, application.id)
    bank.payments.transfer(teller, card.card.account_id, _stranger_account(bank), 999_999)
    with pytest.raises(ApprovalRequired):
        bank.payments.transfer(teller, card.card.account_id, _stranger_account(bank), 999_999)
    with pytest.raises(ApprovalRequired):
        bank.payments.withdraw(teller, card.card.account_id, 999_999)
    assert bank.cards.get(teller, card.card.id).used == 999_999


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
    bank.drawers.open_drawer(other, 1_000)
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


def test_a_closing_request_for_a_funded_account_is_refused_when_filed(
    bank: Bank, branch: Branch
) -> None:
    """Issue 19: the request could only fail at approval; now it is refused with the reason
    up front, and the teller's preview says so before anything is filed."""
    teller, account = branch["teller"], branch["account"]
    with pytest.raises(AccountNotEmpty, match="move it to another account"):
        bank.approvals.submit_account_closure(teller, account, reason="Asked")
    with pytest.raises(AccountNotEmpty):
        bank.accounts.preview_close(teller, account)
    assert bank.approvals.page(branch["admin"]).items == ()


def test_a_drawer_holding_a_waiting_request_cannot_close(bank: Bank, branch: Branch) -> None:
    teller = branch["teller"]
    item = bank.approvals.submit(teller, "withdrawal", branch["account"], 1_500_000)
    with pytest.raises(DrawerState, match=rf"holds cash request\(s\) #{item.id}"):
        bank.drawers.close_drawer(teller, 5_000_000)
    with pytest.raises(DrawerState, match=rf"#{item.id}"):
        bank.approvals.submit_drawer_close(teller, 0)
    assert bank.drawers.current(teller) is not None


def test_approval_posts_against_the_drawer_that_took_the_cash(bank: Bank, branch: Branch) -> None:
    """The attack: an approved $12,500 deposit taken in drawer 2 was booked into the teller's
    next drawer, 3. It stays with drawer 2, whoever approves and whenever."""
    teller, admin = branch["teller"], branch["admin"]
    taken_in = bank.drawers.current(teller)
    assert taken_in is not None
    item = bank.approvals.submit(teller, "deposit", branch["account"], 1_250_000, memo="Van")
    assert item.drawer_id == taken_in.id
    bank.drawers.open_drawer(admin, 1_000)  # the approver's own drawer is not touched
    bank.approvals.approve(branch["other_admin"], item.id)
    drawer = bank.drawers.current(teller)
    assert drawer is not None and drawer.id == taken_in.id
    assert drawer.cash_on_hand == taken_in.cash_on_hand + 1_250_000
    assert bank.drawers.current(admin).cash_on_hand == 1_000  # type: ignore[union-attr]


def test_a_cash_request_whose_drawer_is_gone_fails_and_moves_nothing(
    bank: Bank, branch: Branch
) -> None:
    teller, admin = branch["teller"], branch["admin"]
    item = bank.approvals.submit(teller, "withdrawal", branch["account"], 1_500_000)
    bank.approvals.reject(admin, item.id, "No ID")
    bank.drawers.close_drawer(teller, 5_000_000)
    bank.drawers.open_drawer(teller, 1_000)
    assert bank.accounts.get(branch["alice"], branch["account"]).balance == 3_000_000


def test_opening_cash_over_the_maximum_waits_and_comes_from_the_vault(bank: Bank) -> None:
    """The attack: a drawer opened with $10,000,000 opening cash and closed counting $0 (a
    $10M shortage written off by one person). Opening cash over the maximum waits for a
    supervisor."""
    teller = make_staff(bank, "tina", Role.TELLER)
    admin = make_staff(bank, "ada", Role.ADMIN)
    before = entry_count(bank)
    with pytest.raises(ApprovalRequired, match="Opening cash over"):
        bank.drawers.open_drawer(teller, 1_000_000_000)
    assert bank.drawers.current(teller) is None and entry_count(bank) == before
    item = bank.approvals.submit_opening_cash(teller, 1_000_000_000)
    with pytest.raises(PermissionDenied):
        bank.approvals.approve(make_staff(bank, "ted", Role.TELLER), item.id)
    bank.approvals.approve(admin, item.id)
    drawer = bank.drawers.current(teller)
    assert drawer is not None and drawer.cash_on_hand == 1_000_000_000
    assert bank.verify().ok


def test_a_count_off_by_more_than_the_tolerance_waits_for_a_supervisor(bank: Bank) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    admin = make_staff(bank, "ada", Role.ADMIN)
    bank.drawers.open_drawer(teller, 400_000)
    before = entry_count(bank)
    with pytest.raises(ApprovalRequired, match=r"\$4,000\.00 short; more than \$10\.00"):
        bank.drawers.close_drawer(teller, 0)  # a $4,000 shortage
    assert entry_count(bank) == before and bank.drawers.current(teller) is not None
    item = bank.approvals.submit_drawer_close(teller, 0)
    with pytest.raises(DrawerState, match="waits for a supervisor"):
        bank.payments.deposit(teller, funded_account(bank, make_customer(bank, "albert"), 0), 100)
    bank.approvals.reject(admin, item.id, "Count again")
    assert bank.drawers.current(teller).status == "open"  # type: ignore[union-attr]
    item = bank.approvals.submit_drawer_close(teller, 0)
    bank.approvals.approve(admin, item.id)
    closed = bank.drawers.get(admin, item.drawer_id)  # type: ignore[arg-type]
    assert (closed.status, closed.difference) == ("closed", -400_000)
    # Within the tolerance it closes at once.
    bank.drawers.open_drawer(teller, 100_000)
    assert bank.drawers.close_drawer(teller, 99_500).difference == -500
    assert bank.verify().ok


def test_a_disabled_makers_requests_are_void(bank: Bank, branch: Branch) -> None:
    """The attack: a disabled teller's pending request could still be approved."""
    item = bank.approvals.submit(branch["teller"], "deposit", branch["account"], 1_500_000)
    bank.staff.disable(branch["admin"], branch["teller"].user_id)
    voided = bank.approvals.get(branch["admin"], item.id)
    assert voided.status == "voided" and "disabled" in voided.reason
    before = entry_count(bank)
    with pytest.raises(ApprovalState):
        bank.approvals.approve(branch["other_admin"], item.id)
    assert entry_count(bank) == before


def test_a_maker_disabled_without_voiding_is_still_refused_at_approval(
    bank: Bank, branch: Branch
) -> None:
    """The backstop: a maker whose access was switched off by a path that did not void their
    requests (an operator tool, a future command) still cannot have a request approved."""
    from sqlalchemy import update

    from bankapp.storage.models import User

    item = bank.approvals.submit(branch["teller"], "deposit", branch["account"], 1_500_000)
    users = User
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(users).where(users.c.id == branch["teller"].user_id).values(status="disabled")
        )
    )
    before = entry_count(bank)
    with pytest.raises(ApprovalState, match="disabled"):
        bank.approvals.approve(branch["other_admin"], item.id)
    assert entry_count(bank) == before
    assert bank.approvals.get(branch["admin"], item.id).status == "pending"


def test_an_admin_set_up_by_the_maker_cannot_approve_the_makers_request(
    bank: Bank, branch: Branch
) -> None:
    """The attack: an admin creates a second admin and approves their own request with it."""
    admin, other = branch["admin"], branch["other_admin"]
    hire = bank.staff.create(
        admin, username="sock", full_name="Sock Puppet", email="s@bank.example", role="admin"
    )
    created = bank.approvals.approve(other, hire.id)
    assert created.temporary_password and created.target_user_id is not None
    puppet = acting_as(bank, "sock")
    item = bank.approvals.submit(
        admin, "transfer", branch["account"], 1_500_000, to_account_number=_stranger_account(bank)
    )
    with pytest.raises(ApprovalState, match="set up by the maker"):
        bank.approvals.approve(puppet, item.id)
    mine = bank.approvals.submit(
        puppet, "transfer", branch["account"], 1_600_000, to_account_number=_stranger_account(bank)
    )
    with pytest.raises(ApprovalState, match="You set up the maker"):
        bank.approvals.approve(admin, mine.id)
    assert bank.approvals.get(other, item.id).status == "pending"


def _second_account(bank: Bank, branch: Branch) -> str:
    return bank.accounts.open(branch["alice"], AccountKind.SAVINGS, "Second").number


_strangers = itertools.count()


def _stranger_account(bank: Bank) -> str:
    """A checking account of a new customer (each call a new one)."""
    customer = make_customer(bank, f"stranger{next(_strangers)}")
    return bank.accounts.open(customer, AccountKind.CHECKING).number
