"""Inputs are bounded the same way on both databases: an id outside 1..2**63-1 is "not found"
and an over-long request id a typed refusal, on SQLite and PostgreSQL alike; never a
database's own range or length error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import BankError, NotFound, StorageError, ValidationFailed
from tests.fixtures import fund, make_customer, make_staff

OUT_OF_RANGE = (2**63, 2**64, -1, 0)


def test_ids_out_of_range_are_not_found_everywhere(bank: Bank) -> None:
    admin = make_staff(bank, "boss", Role.ADMIN)
    teller = make_staff(bank, "tina", Role.TELLER)
    alice = make_customer(bank, "alice")
    bank.drawers.open_drawer(teller, 0)
    calls: dict[str, Callable[[int], Any]] = {
        "drawers.get": lambda i: bank.drawers.get(admin, i),
        "holds.release": lambda i: bank.holds.release(admin, i, "reason"),
        "cards.capture": lambda i: bank.cards.capture(admin, i),
        "cards.freeze": lambda i: bank.cards.freeze(alice, i),
        "approvals.approve": lambda i: bank.approvals.approve(admin, i),
        "approvals.reject": lambda i: bank.approvals.reject(admin, i, "no"),
        "payments.deposit": lambda i: bank.payments.deposit(teller, i, 100),
        "payments.transfer": lambda i: bank.payments.transfer(alice, i, "1", 100),
        "history.page": lambda i: bank.history.page(alice, i),
        "holds.list_holds": lambda i: bank.holds.list_holds(alice, i),
    }
    wrong: dict[str, str] = {}
    for name, call in calls.items():
        for value in OUT_OF_RANGE:
            try:
                call(value)
                wrong[f"{name}({value})"] = "accepted"
            except NotFound:
                pass
            except BankError as exc:
                if isinstance(exc, StorageError):
                    wrong[f"{name}({value})"] = exc.message
    assert wrong == {}
    assert bank.verify().ok


@pytest.mark.parametrize("length", [81, 200, 5_000])
def test_an_over_long_request_id_is_refused_on_both_databases(bank: Bank, length: int) -> None:
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    source = bank.accounts.open(alice, AccountKind.CHECKING).id
    target = bank.accounts.open(bob, AccountKind.CHECKING).number
    fund(bank, source, 1_000)
    with pytest.raises(ValidationFailed):
        bank.payments.transfer(alice, source, target, 100, idempotency_key="k" * length)
    key = "k" * 80  # the documented maximum is accepted
    assert bank.payments.transfer(alice, source, target, 100, idempotency_key=key).amount == 100


CONTROL_TEXT = "Alice\x1b[2J\x07 Martin"


def test_names_and_memos_with_control_characters_are_refused_on_both_databases(
    bank: Bank,
) -> None:
    alice = make_customer(bank, "alice")
    account = bank.accounts.open(alice, AccountKind.CHECKING, "Everyday")
    fund(bank, account.id, 5_000)
    refusals: list[Callable[[], Any]] = [
        lambda: bank.auth.register(
            username="martin",
            password="correct horse battery staple",
            password_confirm="correct horse battery staple",
            full_name=CONTROL_TEXT,
            email="martin@example.com",
        ),
        lambda: bank.accounts.rename(alice, account.id, CONTROL_TEXT),
        lambda: bank.payments.withdraw(alice, account.id, 100, memo=CONTROL_TEXT),
    ]
    for refused in refusals:
        with pytest.raises(ValidationFailed) as caught:
            refused()
        assert "contains a control character" in caught.value.message
    assert bank.accounts.get(alice, account.id).name == "Everyday"
    assert bank.accounts.get(alice, account.id).balance == 5_000
