"""`verify` re-derives the books from the postings: an edited balance, posting or card purchase
is named."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Installation, Posting
from tests.fixtures import as_attacker, busy_account, counter_staff, credit_card, make_customer


def _first_posting(bank: Bank) -> Any:
    postings = Posting
    return bank.db.read(
        lambda tx: tx.conn.execute(
            select(postings.c.id, postings.c.entry_id).order_by(postings.c.id).limit(1)
        ).one()
    )


def test_a_clean_bank_verifies(bank: Bank) -> None:
    busy_account(bank)
    report = bank.verify()
    assert report.ok, report.problems
    assert report.entries == 4 and report.postings == 8
    # alice and her account, the counter's two staff and its drawer, a deposit, three ATM
    # withdrawals
    assert report.audit_events == 9


def test_an_edited_balance_is_found(bank: Bank) -> None:
    account = busy_account(bank)
    bank.db.write(
        lambda tx: tx.conn.execute(update(Account).where(Account.c.id == account).values(balance=1))
    )
    report = bank.verify()
    assert not report.ok
    assert any(f"account {account}" in p and "postings sum to 9400" in p for p in report.problems)


def test_an_edited_posting_unbalances_its_entry_and_running_balance(bank: Bank) -> None:
    busy_account(bank)
    postings = Posting
    first = _first_posting(bank)
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            update(postings).where(postings.c.id == first.id).values(amount=postings.c.amount + 1)
        ),
    )
    problems = bank.verify().problems
    assert f"journal entry {first.entry_id}: 2 postings summing to 1" in problems
    assert any(f"posting {first.id}" in p for p in problems)


def test_an_entry_left_with_one_leg_or_none_is_named(bank: Bank) -> None:
    busy_account(bank)
    postings = Posting
    legs = bank.db.read(
        lambda tx: tx.conn.execute(
            select(postings.c.id, postings.c.entry_id, postings.c.amount).order_by(postings.c.id)
        ).all()
    )
    first, second = legs[0].entry_id, legs[2].entry_id
    one_leg = next(row for row in legs if row.entry_id == first)
    as_attacker(
        bank, lambda tx: tx.conn.execute(delete(postings).where(postings.c.id == one_leg.id))
    )
    as_attacker(
        bank, lambda tx: tx.conn.execute(delete(postings).where(postings.c.entry_id == second))
    )
    problems = bank.verify().problems
    assert f"journal entry {first}: 1 postings summing to {-one_leg.amount}" in problems
    assert f"journal entry {second}: has no postings" in problems


@pytest.mark.usefixtures("private_key_file")
def test_verify_notices_a_card_purchase_edited_in_the_database(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 30_000)
    bought = bank.cards.purchase(
        ann, pan=card.pan, expiry=card.card.expiry, cvv=card.cvv, merchant="Cafe", amount=1_000
    )
    _, supervisor = counter_staff(bank)
    entry = bank.cards.capture(supervisor, bought.hold_id).entry_id
    assert entry is not None and bank.verify().ok
    postings = Posting
    accounts = Account

    def shrink(tx: Tx) -> None:  # both legs and both balances: the entry still sums to zero
        for row in tx.conn.execute(select(postings).where(postings.c.entry_id == entry)).all():
            smaller = row.amount // 10
            tx.conn.execute(
                update(postings)
                .where(postings.c.id == row.id)
                .values(amount=smaller, balance_after=row.balance_after - row.amount + smaller)
            )
            tx.conn.execute(
                update(accounts)
                .where(accounts.c.id == row.account_id)
                .values(balance=accounts.c.balance - row.amount + smaller)
            )

    as_attacker(bank, shrink)
    report = bank.verify()
    assert not report.ok
    assert any(f"journal entry {entry}" in problem for problem in report.problems)


@pytest.mark.usefixtures("private_key_file")
def test_verify_notices_held_money_that_no_hold_explains(bank: Bank) -> None:
    """`held` must equal the sum of the account's active holds, and the available balance
    (balance less holds) must not be below the floor."""
    ann = make_customer(bank, "ann")
    account = busy_account(bank)
    bank.payments.deposit(ann, bank.accounts.open(ann, AccountKind.CHECKING).id, 500)  # held
    assert bank.verify().ok
    accounts = Account
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(accounts).where(accounts.c.id == account).values(held=9_500)
        )
    )
    problems = bank.verify().problems
    assert any(
        f"account {account}" in p and "held 9500 but its active holds sum to 0" in p
        for p in problems
    )
    assert any(f"account {account}" in p and "available balance -100 below" in p for p in problems)


def test_an_unbalanced_entry_from_before_keyed_events_is_named(bank: Bank) -> None:
    """Entries older than keyed events have no recorded legs to compare: their balance is
    checked on its own. (Moving the boundary is itself named: the record's tag breaks.)"""
    busy_account(bank)
    postings = Posting
    first = _first_posting(bank)

    def tamper(tx: Tx) -> None:
        tx.conn.execute(update(Installation).values(legacy_until_entry=10**9))
        tx.conn.execute(
            update(postings).where(postings.c.id == first.id).values(amount=postings.c.amount + 1)
        )

    as_attacker(bank, tamper)
    problems = bank.verify().problems
    assert f"journal entry {first.entry_id}: 2 postings summing to 1" in problems
    assert any("installation record was altered" in p for p in problems)
