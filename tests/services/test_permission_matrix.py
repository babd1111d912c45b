"""The permission matrix: every service call, tried by every kind of caller.

Callers: the customer who owns the data (`owner`), another customer (`stranger`), a `teller`,
an `admin`, and the owner after being disabled (`disabled`). Each row lists who may make the
call; everybody else must be refused with a typed error and nothing may change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import NotFound, PermissionDenied
from tests.fixtures import funded_account, make_customer, make_staff

CALLERS = ("owner", "stranger", "teller", "admin", "disabled")
STAFF = frozenset({"teller", "admin"})
OWNER_AND_STAFF = frozenset({"owner", "teller", "admin"})
EVERY_ACTIVE = frozenset({"owner", "stranger", "teller", "admin"})


@dataclass
class World:
    bank: Bank
    owner: Actor
    account: int  # the owner's funded checking account
    number: str
    other_number: str  # an account of the stranger's, as a transfer target


Call = Callable[[World, Actor], object]


def _fresh_empty(w: World) -> int:
    return w.bank.accounts.open(w.owner, AccountKind.SAVINGS).id


CALLS: dict[str, tuple[Call, frozenset[str]]] = {
    "accounts.list_accounts": (
        lambda w, a: w.bank.accounts.list_accounts(a, owner_id=w.owner.user_id),
        OWNER_AND_STAFF,
    ),
    "accounts.get": (lambda w, a: w.bank.accounts.get(a, w.account), OWNER_AND_STAFF),
    "accounts.open for the owner": (
        lambda w, a: w.bank.accounts.open(a, AccountKind.SAVINGS, owner_id=w.owner.user_id),
        OWNER_AND_STAFF,
    ),
    "accounts.rename": (
        lambda w, a: w.bank.accounts.rename(a, w.account, "Renamed"),
        OWNER_AND_STAFF,
    ),
    "accounts.freeze": (lambda w, a: w.bank.accounts.freeze(a, _fresh_empty(w)), STAFF),
    "accounts.close": (lambda w, a: w.bank.accounts.close(a, _fresh_empty(w)), OWNER_AND_STAFF),
    "accounts.find_destination": (
        lambda w, a: w.bank.accounts.find_destination(a, w.number),
        EVERY_ACTIVE,
    ),
    "payments.deposit": (lambda w, a: w.bank.payments.deposit(a, w.account, 100), OWNER_AND_STAFF),
    "payments.withdraw": (
        lambda w, a: w.bank.payments.withdraw(a, w.account, 100),
        OWNER_AND_STAFF,
    ),
    "payments.transfer": (
        lambda w, a: w.bank.payments.transfer(a, w.account, w.other_number, 100),
        OWNER_AND_STAFF,
    ),
    "history.page": (lambda w, a: w.bank.history.page(a, w.account), OWNER_AND_STAFF),
    "auth.get_user": (lambda w, a: w.bank.auth.get_user(a, w.owner.user_id), OWNER_AND_STAFF),
    "auth.update_profile": (
        lambda w, a: w.bank.auth.update_profile(
            a, full_name="New Name", email="n@example.com", user_id=w.owner.user_id
        ),
        OWNER_AND_STAFF,
    ),
    "auth.set_status": (
        lambda w, a: w.bank.auth.set_status(a, w.owner.user_id, "active"),
        frozenset({"admin"}),
    ),
    "auth.unlock": (lambda w, a: w.bank.auth.unlock(a, w.owner.username), frozenset({"admin"})),
    "auth.reset_password": (
        lambda w, a: w.bank.auth.reset_password(a, w.owner.user_id, "temporary passphrase 9"),
        frozenset({"admin"}),
    ),
    "auth.create_user customer": (
        lambda w, a: w.bank.auth.create_user(
            a,
            username=f"new{a.user_id}",
            password="customer passphrase 1",
            role="customer",
            full_name="New Customer",
            email="c@example.com",
        ),
        STAFF,
    ),
    "auth.create_user teller": (
        lambda w, a: w.bank.auth.create_user(
            a,
            username=f"staff{a.user_id}",
            password="customer passphrase 1",
            role="teller",
            full_name="New Teller",
            email="t@example.com",
        ),
        frozenset({"admin"}),
    ),
}


def build_world(bank: Bank) -> tuple[World, dict[str, Actor]]:
    owner = make_customer(bank, "owner")
    stranger = make_customer(bank, "stranger")
    disabled = make_customer(bank, "gone")
    admin = make_staff(bank, "admin", Role.ADMIN)
    account = funded_account(bank, owner, 100_000)
    other = bank.accounts.open(stranger, AccountKind.CHECKING)
    bank.accounts.open(disabled, AccountKind.CHECKING)
    bank.auth.set_status(admin, disabled.user_id, "disabled")
    world = World(bank, owner, account, bank.accounts.get(owner, account).number, other.number)
    actors = {
        "owner": owner,
        "stranger": stranger,
        "teller": make_staff(bank, "tina", Role.TELLER),
        "admin": admin,
        "disabled": disabled,
    }
    for staff in ("teller", "admin"):  # staff take cash only through an open drawer
        bank.drawers.open_drawer(actors[staff], 10_000)
    return world, actors


@pytest.mark.parametrize("call_name", sorted(CALLS))
def test_every_call_refuses_every_caller_it_should(bank: Bank, call_name: str) -> None:
    call, allowed = CALLS[call_name]
    world, actors = build_world(bank)
    outcomes: dict[str, str] = {}
    for caller in CALLERS:
        before = bank.verify()
        try:
            call(world, actors[caller])
        except (PermissionDenied, NotFound) as exc:
            outcomes[caller] = f"refused: {exc.code}"
            after = bank.verify()
            assert (after.entries, after.postings) == (before.entries, before.postings), (
                f"{call_name} by {caller} was refused but still posted money"
            )
        else:
            outcomes[caller] = "allowed"
    expected = {c: "allowed" if c in allowed else "refused" for c in CALLERS}
    assert {c: o.split(":")[0] for c, o in outcomes.items()} == expected, outcomes
    assert bank.verify().ok
