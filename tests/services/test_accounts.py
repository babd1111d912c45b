"""Opening, naming, freezing and closing accounts."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import select, update

from bankapp.bank import Bank
from bankapp.domain.account_numbers import is_valid_account_number
from bankapp.domain.card_types import CardStatus
from bankapp.domain.types import AccountKind, AccountStatus, Role
from bankapp.errors import (
    AccountNotEmpty,
    AccountNotFound,
    AccountNotOpen,
    PermissionDenied,
    ValidationFailed,
)
from bankapp.storage.models import Account, Card
from tests.fixtures import audit_details, funded_account, make_customer, make_staff


def test_customers_open_accounts_with_valid_unique_numbers(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    opened = [
        bank.accounts.open(alice, kind)
        for kind in (AccountKind.CHECKING, AccountKind.SAVINGS, AccountKind.BUSINESS)
    ]
    assert all(is_valid_account_number(a.number) for a in opened)
    assert len({a.number for a in opened}) == 3
    assert [a.kind for a in bank.accounts.list_accounts(alice)] == [a.kind for a in opened]
    assert opened[1].name == "Savings"


def test_only_customer_kinds_can_be_opened(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    for kind in ("internal", "credit_card", "gold"):
        with pytest.raises(ValidationFailed):
            bank.accounts.open(alice, kind)


def test_staff_open_accounts_for_a_customer_but_hold_none(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    teller = make_staff(bank, "tina", Role.TELLER)
    account = bank.accounts.open(teller, AccountKind.SAVINGS, owner_id=alice.user_id)
    assert account.owner_id == alice.user_id
    with pytest.raises(PermissionDenied):
        bank.accounts.open(teller, AccountKind.SAVINGS)


def test_closing_needs_a_zero_balance_and_keeps_the_account(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 500)
    with pytest.raises(AccountNotEmpty) as caught:
        bank.accounts.close(alice, account)
    assert "$5.00" in caught.value.message
    bank.payments.withdraw(alice, account, 500)
    closed = bank.accounts.close(alice, account)
    assert closed.status == AccountStatus.CLOSED
    assert closed.closed_at is not None
    assert bank.accounts.get(alice, account).status == AccountStatus.CLOSED
    with pytest.raises(AccountNotOpen):
        bank.accounts.rename(alice, account, "Zombie")


def test_only_staff_freeze_and_unfreeze(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    with pytest.raises(PermissionDenied):
        bank.accounts.freeze(alice, account)
    admin = make_staff(bank, "root", Role.ADMIN)
    assert bank.accounts.freeze(admin, account).status == AccountStatus.FROZEN
    with pytest.raises(AccountNotOpen):
        bank.accounts.freeze(admin, account)
    assert bank.accounts.unfreeze(admin, account).status == AccountStatus.OPEN


def test_renaming_trims_and_validates(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 0)
    assert bank.accounts.rename(alice, account, "  Holiday [b]fund[/b] ").name == (
        "Holiday [b]fund[/b]"
    )
    with pytest.raises(ValidationFailed):
        bank.accounts.rename(alice, account, "x" * 61)


def test_a_destination_is_described_without_revealing_the_full_name(bank: Bank) -> None:
    alice = make_customer(bank, "alice", "Alice Martin")
    bob = make_customer(bank, "bob", "Robert Okafor")
    target = bank.accounts.open(bob, AccountKind.CHECKING)
    assert bank.accounts.find_destination(alice, target.number) == (
        f"R. Okafor •••• {target.number[-4:]}"
    )


def test_nobody_freezes_renames_closes_or_pays_into_the_banks_own_accounts(bank: Bank) -> None:
    """The attack: an admin froze Bank cash (stopping all cash) or renamed it (changing the
    counterparty in everyone's history). Internal accounts are not changed through the
    services by anyone, nor used as a transfer's destination."""
    admin = make_staff(bank, "ada", Role.ADMIN)
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    own = funded_account(bank, alice, 10_000)
    bank.drawers.open_drawer(teller, 1_000)  # the vault and a drawer now exist
    internal = bank.db.read(
        lambda tx: tx.conn.execute(
            select(Account.c.id, Account.c.number).where(Account.c.kind == "internal")
        ).all()
    )
    assert len(internal) >= 2
    for account_id, number in internal:
        for attempt in (
            partial(bank.accounts.freeze, admin, account_id),
            partial(bank.accounts.rename, admin, account_id, "Mallory"),
            partial(bank.accounts.close, admin, account_id),
            partial(bank.approvals.submit_account_closure, admin, account_id),
        ):
            with pytest.raises(PermissionDenied, match=r"(?i)internal"):
                attempt()
        with pytest.raises(AccountNotFound):
            bank.payments.transfer(alice, own, number, 100)
    after = {a.id: (a.name, a.status) for a in (bank.accounts.get(admin, i) for i, _ in internal)}
    assert all(status == "open" for _, status in after.values())
    assert bank.verify().ok


def test_closing_an_account_cancels_its_cards_in_the_same_transaction(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 1_000)
    card = bank.cards.issue_debit(alice, account).card
    bank.payments.withdraw(alice, account, 1_000)
    bank.accounts.close(alice, account)
    assert bank.cards.get(alice, card.id).status == CardStatus.CANCELLED
    assert audit_details(bank, "card.cancel")[-1]["reason"] == "account closed"
    assert bank.verify().ok


def test_cards_left_active_on_closed_accounts_by_an_earlier_build_are_cancelled_once(
    bank: Bank,
) -> None:
    """Before closing an account cancelled its cards, a closed account kept an active card;
    `bankapp init` (the operator) cancels those, audited, and finds none the next time."""
    alice = make_customer(bank, "alice")
    account = bank.accounts.open(alice, AccountKind.CHECKING, "Bills").id
    card = bank.cards.issue_debit(alice, account).card
    kept = bank.cards.issue_debit(alice, funded_account(bank, alice, 100)).card
    bank.accounts.close(alice, account)
    cards = Card
    bank.db.write(  # the data an earlier build left
        lambda tx: tx.conn.execute(
            update(cards).where(cards.c.id == card.id).values(status=CardStatus.ACTIVE.value)
        )
    )
    assert bank.operator.cancel_cards_of_closed_accounts() == [card.masked]
    assert bank.cards.get(alice, card.id).status == CardStatus.CANCELLED
    assert bank.cards.get(alice, kept.id).status == CardStatus.ACTIVE  # its account is open
    assert audit_details(bank, "card.cancel")[-1] == {
        "card": card.masked,
        "from": "active",
        "reason": "account closed",
    }
    assert bank.operator.cancel_cards_of_closed_accounts() == []
    assert bank.verify().ok


def test_a_refused_close_leaves_the_account_and_its_card_as_they_were(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 1_000)
    card = bank.cards.issue_debit(alice, account).card
    with pytest.raises(AccountNotEmpty) as caught:
        bank.accounts.close(alice, account)
    assert (
        caught.value.message == "The balance is $10.00; move it to another account before closing."
    )
    assert bank.cards.get(alice, card.id).status == CardStatus.ACTIVE
    assert bank.accounts.get(alice, account).status == AccountStatus.OPEN


def test_a_close_preview_names_the_cards_it_cancels_and_changes_nothing(bank: Bank) -> None:
    alice = make_customer(bank, "alice")
    account = bank.accounts.open(alice, AccountKind.CHECKING, "Bills").id
    card = bank.cards.issue_debit(alice, account).card
    preview = bank.accounts.preview_close(alice, account)
    assert preview.account.status == AccountStatus.CLOSED and preview.approval == ""
    assert preview.cards == (card.masked,)
    assert bank.accounts.get(alice, account).status == AccountStatus.OPEN
    assert bank.cards.get(alice, card.id).status == CardStatus.ACTIVE
    busy = funded_account(bank, alice, 500)
    with pytest.raises(AccountNotEmpty):
        bank.accounts.preview_close(alice, busy)
    teller = make_staff(bank, "tina", Role.TELLER)
    with pytest.raises(AccountNotEmpty):  # refused for its balance before any request
        bank.accounts.preview_close(teller, busy)
    emptied = bank.accounts.open(alice, AccountKind.SAVINGS, "Emptied")
    bank.payments.transfer(alice, busy, emptied.number, 500)
    bank.payments.transfer(alice, emptied.id, bank.accounts.get(alice, busy).number, 500)
    staff_view = bank.accounts.preview_close(teller, emptied.id)  # empty, with history
    assert "supervisor" in staff_view.approval
