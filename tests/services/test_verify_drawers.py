"""`verify` ties each drawer to its entries: the opening cash moved once, a closed drawer was
closed once and holds nothing, the vault got back what the drawers returned."""

from __future__ import annotations

from sqlalchemy import update

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, Role
from bankapp.services.drawers import OPENING_CASH_ENTRY
from bankapp.services.ledger import BANK_CASH, AuditNote, Leg, internal_account, post_entry
from bankapp.storage.database import Tx
from bankapp.storage.models import CashDrawer
from tests.fixtures import make_customer, make_staff

_drawers = CashDrawer


def closed_drawer(bank: Bank) -> tuple[int, int]:
    """tina's drawer: $500 opening cash, a $20 deposit, counted and closed; (drawer id, account)."""
    tina = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    account = bank.accounts.open(alice, AccountKind.CHECKING).id
    drawer = bank.drawers.open_drawer(tina, 50_000)
    bank.payments.deposit(tina, account, 2_000)
    bank.drawers.close_drawer(tina, 52_000)
    return drawer.id, drawer.account_id


def test_drawers_opened_used_and_closed_verify(bank: Bank) -> None:
    closed_drawer(bank)
    bank.drawers.open_drawer(make_staff(bank, "ted", Role.TELLER), 10_000)  # still open
    report = bank.verify()
    assert report.ok, report.problems


def test_an_opening_cash_entry_is_tied_to_its_drawer_by_the_old_memo_too(bank: Bank) -> None:
    """Ledgers written before the rename hold opening-cash entries with the memo "Float into
    drawer N" (entries never change): verify ties an entry under either memo to its drawer."""
    drawer_id, account = closed_drawer(bank)

    def open_twice_more(tx: Tx) -> None:
        vault = internal_account(tx, BANK_CASH, "Bank cash", "USD")
        for memo in (f"Opening cash into drawer {drawer_id}", f"Float into drawer {drawer_id}"):
            legs = [Leg(account, -100), Leg(vault, 100)]
            note = AuditNote("drawer.open", {}, f"drawer {drawer_id}")
            post_entry(
                tx, kind=OPENING_CASH_ENTRY, memo=memo, actor=None, legs=legs, audit_note=note
            )

    bank.db.write(open_twice_more)
    problems = bank.verify().problems
    assert f"drawer {drawer_id}: 3 opening-cash entries, expected 1" in problems, problems


def test_a_second_close_of_one_drawer_is_found(bank: Bank) -> None:
    drawer_id, account = closed_drawer(bank)

    def close_again(tx: Tx) -> None:  # what four closes at once once posted
        vault = internal_account(tx, BANK_CASH, "Bank cash", "USD")
        legs = [Leg(account, 52_000), Leg(vault, -52_000)]
        note = AuditNote("drawer.close", {}, f"drawer {drawer_id}")
        post_entry(
            tx,
            kind="drawer_close",
            memo=f"Close drawer {drawer_id}",
            actor=None,
            legs=legs,
            audit_note=note,
        )

    bank.db.write(close_again)
    problems = bank.verify().problems
    assert any(f"drawer {drawer_id} was closed by 2 entries" in p for p in problems), problems


def test_cash_left_in_a_closed_drawer_is_found(bank: Bank) -> None:
    drawer_id, account = closed_drawer(bank)

    def deposit_after_close(tx: Tx) -> None:  # a deposit that raced the close
        vault = internal_account(tx, BANK_CASH, "Bank cash", "USD")
        legs = [Leg(vault, 900), Leg(account, -900)]
        post_entry(
            tx, kind="deposit", memo="late", actor=None, legs=legs, audit_note=AuditNote("x")
        )

    bank.db.write(deposit_after_close)
    problems = bank.verify().problems
    assert any(f"closed drawer {drawer_id} still holds 900" in p for p in problems), problems


def test_opening_cash_that_does_not_match_the_drawer_is_found(bank: Bank) -> None:
    drawer_id, _ = closed_drawer(bank)
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(_drawers).where(_drawers.c.id == drawer_id).values(opening_cash=60_000)
        )
    )
    problems = bank.verify().problems
    assert any(f"drawer {drawer_id}: its opening-cash entry" in p for p in problems), problems


def test_a_close_that_did_not_return_the_count_to_the_vault_is_found(bank: Bank) -> None:
    drawer_id, _ = closed_drawer(bank)
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(_drawers).where(_drawers.c.id == drawer_id).values(counted_cash=10)
        )
    )
    problems = bank.verify().problems
    assert any(f"drawer {drawer_id}: its close entry" in p for p in problems), problems
