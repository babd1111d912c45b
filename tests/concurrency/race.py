"""The race harness: real OS processes forked from a prepared bank, released together by a
barrier, each making one call on the same object; the parent gets every outcome back.

Forking (not spawning) keeps a race cheap: the children already hold the imported modules
and the test's prepared values (actors, ids, a clock), so they only open their own engine.
A child never touches the parent's connections and leaves with `os._exit`, so nothing the
parent owns is finalised twice.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

from bankapp.bank import Bank, open_bank
from bankapp.clock import Clock
from bankapp.errors import BankError
from bankapp.settings import Settings
from tests.fixtures import TEST_SETTINGS

FORK = mp.get_context("fork")
RACERS = 4
TIMEOUT = 120

# One call a racer makes: given its own bank and its number, return what it saw ("ok", or
# something more telling); a BankError raised is reported as its code.
Call = Callable[[Bank, int], str]


def race(
    url: str,
    call: Call,
    *,
    racers: int = RACERS,
    settings: Settings = TEST_SETTINGS,
    clock: Clock | None = None,
) -> Counter[str]:
    """Run `call` in `racers` processes at the same moment; the outcomes, counted."""
    barrier = FORK.Barrier(racers)
    results: Any = FORK.SimpleQueue()
    procs = [
        FORK.Process(target=_racer, args=(url, call, n, settings, clock, barrier, results))
        for n in range(racers)
    ]
    for proc in procs:
        proc.start()
    outcomes = [_result(results, procs) for _ in procs]
    for proc in procs:
        proc.join(TIMEOUT)
        if proc.is_alive():  # pragma: no cover - a hung racer fails the test below
            proc.kill()
    unexpected = [o for o in outcomes if o.startswith("crash:")]
    assert not unexpected, unexpected
    return Counter(outcomes)


def _racer(
    url: str,
    call: Call,
    n: int,
    settings: Settings,
    clock: Clock | None,
    barrier: Any,
    results: Any,
) -> None:
    outcome = "crash: did not start"
    try:
        bank = open_bank(url, settings=settings, clock=clock)
        bank.db.engine.connect().close()  # connect before the barrier, not in the race
        barrier.wait(TIMEOUT)
        try:
            outcome = call(bank, n)
        except BankError as exc:
            outcome = exc.code
        finally:
            bank.close()
    except BaseException as exc:
        outcome = "crash: " + "".join(traceback.format_exception(exc))[-2000:]
    results.put(outcome)
    os._exit(0)


def _result(results: Any, procs: list[Any]) -> str:
    """The next outcome; a racer that died without one is reported instead of hanging."""
    for _ in range(TIMEOUT * 10):
        if not results.empty():
            return str(results.get())
        if all(not p.is_alive() for p in procs) and results.empty():
            return "crash: a racer died without answering"
        time.sleep(0.1)
    return "crash: no answer in time"  # pragma: no cover
