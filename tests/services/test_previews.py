"""Previews of teller actions: the same checks as the real call, nothing written, and what
will happen named (both parties, balances after, the drawer, the difference)."""

from __future__ import annotations

from typing import Any

import pytest

from bankapp.bank import Bank
from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import AccountNotFound, DrawerState, InsufficientFunds, InvalidAmount
from tests.fixtures import (
    acting_as,
    audit_kinds,
    entry_count,
    fund,
    make_customer,
    make_staff,
)

THRESHOLD = 1_000_000  # Settings().approval_threshold_cents


def books(bank: Bank) -> tuple[int, int]:
    """What a preview must leave as it was: entries and audit events."""
    return entry_count(bank), len(audit_kinds(bank))


@pytest.fixture
def counter(bank: Bank) -> dict[str, Any]:
    teller = make_staff(bank, "tina", Role.TELLER)
    admin = make_staff(bank, "ada", Role.ADMIN)
    alice = make_customer(bank, "alice", "Alice Martin")
    bob = make_customer(bank, "bob", "Bob Okafor")
    everyday = bank.accounts.open(alice, AccountKind.CHECKING, "Everyday")
    main = bank.accounts.open(bob, AccountKind.CHECKING, "Main")
    fund(bank, everyday.id, 50_000)
    bank.drawers.open_drawer(teller, 20_000)
    return {"teller": teller, "admin": admin, "everyday": everyday, "main": main}


def test_a_cash_withdrawal_preview_names_the_account_balance_and_drawer_after(
    bank: Bank, counter: dict[str, Any]
) -> None:
    before = books(bank)
    preview = bank.payments.preview_movement(
        counter["teller"], "withdraw", counter["everyday"].id, 5_000, memo="rent"
    )
    assert (preview.kind, preview.amount, preview.memo) == ("withdrawal", 5_000, "rent")
    assert preview.source.holder == "Alice Martin"
    assert preview.source.account == f"Everyday {mask_account_number(counter['everyday'].number)}"
    assert preview.source.balance_after == 45_000
    assert preview.drawer_cash_after == 15_000
    assert preview.target is None and preview.approval == ""
    assert books(bank) == before
    assert bank.accounts.get(counter["teller"], counter["everyday"].id).balance == 50_000


def test_a_transfer_preview_names_both_holders(bank: Bank, counter: dict[str, Any]) -> None:
    teller, everyday, main = counter["teller"], counter["everyday"], counter["main"]
    before = books(bank)
    preview = bank.payments.preview_movement(
        teller, "transfer", everyday.id, 12_000, to_account_number=main.number
    )
    assert preview.target is not None
    assert (preview.source.holder, preview.target.holder) == ("Alice Martin", "Bob Okafor")
    assert (preview.source.balance_after, preview.target.balance_after) == (38_000, 12_000)
    assert preview.drawer_cash_after is None
    assert books(bank) == before


def test_a_preview_refuses_what_the_post_refuses(bank: Bank, counter: dict[str, Any]) -> None:
    teller, everyday = counter["teller"], counter["everyday"]
    before = books(bank)
    with pytest.raises(InsufficientFunds):
        bank.payments.preview_movement(
            teller, "transfer", everyday.id, 60_000, to_account_number=counter["main"].number
        )
    with pytest.raises(DrawerState) as short:
        bank.payments.preview_movement(teller, "withdraw", everyday.id, 30_000)
    assert short.value.field == "amount"  # the drawer holds $200.00
    with pytest.raises(AccountNotFound) as unknown:
        bank.payments.preview_movement(
            teller, "transfer", everyday.id, 100, to_account_number="1234"
        )
    assert unknown.value.field == "destination"
    with pytest.raises(InvalidAmount):
        bank.payments.preview_movement(teller, "deposit", everyday.id, 0)
    assert books(bank) == before


def test_over_the_threshold_the_preview_says_a_supervisor_decides(
    bank: Bank, counter: dict[str, Any]
) -> None:
    before = books(bank)
    preview = bank.payments.preview_movement(
        counter["teller"], "deposit", counter["everyday"].id, THRESHOLD + 1
    )
    assert "approval" in preview.approval or "supervisor" in preview.approval
    assert preview.source.balance_after == 50_000  # nothing moves until approved
    assert preview.drawer_cash_after is None
    assert books(bank) == before


def test_a_drawer_close_preview_shows_the_difference_and_posts_nothing(
    bank: Bank, counter: dict[str, Any]
) -> None:
    teller = counter["teller"]
    before = books(bank)
    short = bank.drawers.preview_close(teller, 19_500)
    assert (short.expected_cash, short.counted_cash, short.difference) == (20_000, 19_500, -500)
    assert short.approval == ""
    far_off = bank.drawers.preview_close(teller, 10_000)
    assert far_off.difference == -10_000 and "supervisor" in far_off.approval
    assert books(bank) == before
    drawer = bank.drawers.current(teller)
    assert drawer is not None and drawer.status == "open"


def test_an_approval_preview_carries_the_request_out_and_rolls_back(
    bank: Bank, counter: dict[str, Any]
) -> None:
    teller, admin, everyday = counter["teller"], counter["admin"], counter["everyday"]
    item = bank.approvals.submit(teller, "withdrawal", everyday.id, 15_000)
    before = books(bank)
    preview = bank.approvals.preview_approve(admin, item.id)
    assert preview.item.id == item.id and preview.item.status == "pending"
    assert [(p.holder, p.balance_after) for p in preview.parties] == [("Alice Martin", 35_000)]
    assert preview.drawer_cash_after == 5_000
    assert books(bank) == before
    assert bank.approvals.get(admin, item.id).status == "pending"

    bank.payments.withdraw(teller, everyday.id, 10_000)  # the drawer holds $100.00 now
    with pytest.raises(DrawerState):
        bank.approvals.preview_approve(admin, item.id)
    assert bank.approvals.get(admin, item.id).status == "pending"  # a preview marks nothing


def test_a_drawer_close_approval_preview_shows_the_shortage(
    bank: Bank, counter: dict[str, Any]
) -> None:
    teller, admin = counter["teller"], counter["admin"]
    item = bank.approvals.submit_drawer_close(teller, 5_000)
    preview = bank.approvals.preview_approve(admin, item.id)
    assert preview.drawer_difference == -15_000
    assert preview.drawer_cash_after == 0 and preview.parties == ()
    assert bank.approvals.get(admin, item.id).status == "pending"


def test_a_customers_transfer_preview_never_shows_the_recipients_balance(
    bank: Bank, counter: dict[str, Any]
) -> None:
    alice = acting_as(bank, "alice")
    preview = bank.payments.preview_movement(
        alice, "transfer", counter["everyday"].id, 1_000, to_account_number=counter["main"].number
    )
    assert preview.source.balance_after == 49_000
    assert preview.target is not None
    assert (preview.target.holder, preview.target.balance_after) == ("B. Okafor", None)
