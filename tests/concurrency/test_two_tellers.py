"""Two tellers at two workstations (real OS processes, spawn) take cash on one customer's
account at the same time, each through their own drawer; afterwards every acknowledged
operation is in the books once, the account never went below zero, and each drawer
balances to the cent when closed."""

from __future__ import annotations

import multiprocessing as mp
import random
from typing import Any

from bankapp.bank import open_bank
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import ApprovalState, InsufficientFunds
from tests.fixtures import TEST_SETTINGS, make_customer, make_staff
from tests.fixtures import cash_in as counter_cash

SPAWN = mp.get_context("spawn")
OPERATIONS = 40


def _teller_worker(
    url: str, teller: Actor, account: int, seed: int, barrier: Any, results: Any
) -> None:
    bank = open_bank(url, settings=TEST_SETTINGS)
    rng = random.Random(seed)
    cash_in = cash_out = refused = replays = 0
    barrier.wait()
    try:
        for i in range(OPERATIONS):
            amount = rng.randrange(100, 6_000)
            deposit = rng.random() < 0.5
            take = bank.payments.deposit if deposit else bank.payments.withdraw
            key = f"{teller.username}-{i}"
            try:
                first = take(teller, account, amount, idempotency_key=key)
            except InsufficientFunds:
                refused += 1
                continue
            if deposit:
                cash_in += amount
            else:
                cash_out += amount
            if i % 7 == 0:  # the teller's form is submitted twice: nothing new is posted
                again = take(teller, account, amount, idempotency_key=key)
                if not (again.replayed and again.entry_id == first.entry_id):
                    raise AssertionError(f"retry of {key} posted a second entry")
                replays += 1
        results.put((teller.username, cash_in, cash_out, refused, replays))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((teller.username, repr(exc), 0, 0, 0))
    finally:
        bank.close()


def test_two_teller_processes_taking_cash_on_one_account(database_url: str) -> None:
    bank = open_bank(database_url, settings=TEST_SETTINGS)
    alice = make_customer(bank, "alice")
    account = bank.accounts.open(alice, AccountKind.CHECKING).id
    counter_cash(bank, account, 20_000)
    tellers = [make_staff(bank, name, Role.TELLER) for name in ("tina", "ted")]
    for teller in tellers:
        bank.drawers.open_drawer(teller, 50_000)
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = [
        SPAWN.Process(
            target=_teller_worker, args=(database_url, teller, account, seed, barrier, results)
        )
        for seed, teller in enumerate(tellers)
    ]
    for worker in workers:
        worker.start()
    reported = [results.get(timeout=180) for _ in workers]
    assert all(isinstance(r[1], int) for r in reported), reported
    assert sum(r[4] for r in reported) > 0  # some retries were exercised
    outcomes = {name: (i, o, r) for name, i, o, r, _ in reported}
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    net = sum(i - o for i, o, _ in outcomes.values())
    assert bank.accounts.get(alice, account).balance == 20_000 + net
    for teller in tellers:
        cash_in, cash_out, _ = outcomes[teller.username]
        drawer = bank.drawers.current(teller)
        assert drawer is not None and drawer.cash_on_hand == 50_000 + cash_in - cash_out
        closed = bank.drawers.close_drawer(teller, drawer.cash_on_hand)
        assert closed.difference == 0
    report = bank.verify()
    assert report.ok, report.problems
    operations = sum(OPERATIONS - r for _, _, r in outcomes.values())
    # alice's deposit, two opening-cash entries, each acknowledged cash operation, two drawer closes
    assert report.entries == 1 + 2 + operations + 2
    assert bank.verify_audit().ok
    bank.close()


def _approve_worker(url: str, admin: Actor, item: int, barrier: Any, results: Any) -> None:
    bank = open_bank(url, settings=TEST_SETTINGS)
    barrier.wait()
    try:
        bank.approvals.approve(admin, item)
        results.put("approved")
    except ApprovalState:
        results.put("already decided")
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put(repr(exc))
    finally:
        bank.close()


def test_two_admins_approving_one_request_at_once_post_it_once(database_url: str) -> None:
    bank = open_bank(database_url, settings=TEST_SETTINGS)
    alice = make_customer(bank, "alice")
    account = bank.accounts.open(alice, AccountKind.CHECKING).id
    teller = make_staff(bank, "tina", Role.TELLER)
    admins = [make_staff(bank, name, Role.ADMIN) for name in ("ada", "otto")]
    bank.drawers.open_drawer(teller, 0)
    item = bank.approvals.submit(teller, "deposit", account, 2_000_000).id
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=_approve_worker, args=(database_url, admin, item, barrier, results))
        for admin in admins
    ]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=180) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert outcomes == ["already decided", "approved"]
    assert bank.accounts.get(alice, account).balance == 2_000_000
    report = bank.verify()
    assert report.ok and report.entries == 1
    bank.close()
