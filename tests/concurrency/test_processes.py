"""Real OS processes on one database: transfers from four processes at once lose or double
nothing, and of two withdrawals that together exceed the balance exactly one succeeds."""

from __future__ import annotations

import multiprocessing as mp
import random
from typing import Any

import pytest

from bankapp.bank import open_bank
from bankapp.domain.types import AccountKind, Actor
from bankapp.errors import InsufficientFunds
from tests.fixtures import TEST_SETTINGS, cash_in, make_customer

SPAWN = mp.get_context("spawn")


def _transfer_worker(
    url: str,
    actors: list[Actor],
    accounts: list[tuple[int, str]],
    seed: int,
    count: int,
    barrier: Any,
    results: Any,
) -> None:
    bank = open_bank(url, settings=TEST_SETTINGS)
    rng = random.Random(seed)
    done, refused = 0, 0
    barrier.wait()
    for i in range(count):
        src, dst = rng.sample(range(len(accounts)), 2)
        try:
            bank.payments.transfer(
                actors[src],
                accounts[src][0],
                accounts[dst][1],
                rng.randrange(1, 5_000),
                idempotency_key=f"p{seed}-{i}",
            )
            done += 1
        except InsufficientFunds:
            refused += 1
    bank.close()
    results.put((done, refused))


def _withdraw_worker(
    url: str, actor: Actor, account: int, amount: int, key: str, barrier: Any, results: Any
) -> None:
    bank = open_bank(url, settings=TEST_SETTINGS)
    barrier.wait()
    try:
        bank.payments.withdraw(actor, account, amount, idempotency_key=key)
        results.put("ok")
    except InsufficientFunds:
        results.put("refused")
    finally:
        bank.close()


def test_four_processes_transferring_at_once_lose_and_double_nothing(database_url: str) -> None:
    bank = open_bank(database_url, settings=TEST_SETTINGS)
    actors = [make_customer(bank, f"user{i}") for i in range(4)]
    accounts = []
    for actor in actors:
        view = bank.accounts.open(actor, AccountKind.CHECKING)
        cash_in(bank, view.id, 100_000)
        accounts.append((view.id, view.number))
    barrier, results = SPAWN.Barrier(4), SPAWN.Queue()
    workers = [
        SPAWN.Process(
            target=_transfer_worker,
            args=(database_url, actors, accounts, seed, 40, barrier, results),
        )
        for seed in range(4)
    ]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=180) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    done = sum(d for d, _ in outcomes)
    report = bank.verify()
    assert report.ok, report.problems
    assert report.entries == 4 + done  # the four opening deposits plus each acknowledged transfer
    total = sum(bank.accounts.get(actors[i], a).balance for i, (a, _) in enumerate(accounts))
    assert total == 400_000
    bank.close()


@pytest.mark.parametrize("round_", range(2))
def test_two_withdrawals_exceeding_the_balance_together_one_succeeds(
    database_url: str, round_: int
) -> None:
    bank = open_bank(database_url, settings=TEST_SETTINGS)
    alice = make_customer(bank, "alice")
    account = bank.accounts.open(alice, AccountKind.CHECKING).id
    cash_in(bank, account, 10_000)
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = [
        SPAWN.Process(
            target=_withdraw_worker,
            args=(database_url, alice, account, 6_000, f"w{round_}-{i}", barrier, results),
        )
        for i in range(2)
    ]
    for w in workers:
        w.start()
    outcomes = sorted(results.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(timeout=60)
    assert outcomes == ["ok", "refused"]
    assert bank.accounts.get(alice, account).balance == 4_000
    assert bank.verify().ok
    bank.close()
