"""Start-up and whole-ledger checks, timed from outside the process; argon2id cost."""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bankapp.bench.fixture import LedgerFixture
from bankapp.bench.harness import BenchConfig, Figure, Report, median_seconds
from bankapp.domain.passwords import OWASP_MINIMUM, PasswordHashing
from bankapp.settings import Settings

READY = "BANKAPP-BENCH-READY"
OPENED = "BANKAPP-BENCH-OPENED"
# Run in a child interpreter: the UI is started the way `bankapp` starts it (the bank opened
# in a worker behind the sign-in screen), but headless. The child prints READY once the
# sign-in screen is the active screen and painted, then OPENED once the bank is open.
_UI_CHILD = f"""
import asyncio, sys
from screens.app import make_app

def open_it():
    from bankapp.bank import open_bank
    return open_bank(sys.argv[1])

async def main() -> None:
    app = make_app(open_it)
    async with app.run_test(headless=True, size=(120, 34)) as pilot:
        for _ in range(500):
            if type(app.screen).__name__ == "LoginScreen":
                break
            await pilot.pause()
        else:
            raise SystemExit("the sign-in screen never became active")
        print({READY!r}, flush=True)
        for _ in range(5000):
            if app.opening.done:
                break
            await asyncio.sleep(0.001)
        if app.opening.error is not None:
            raise SystemExit(f"the bank did not open: {{app.opening.error}}")
        print({OPENED!r}, flush=True)
    app.opening.close()

asyncio.run(main())
"""
_BARE_CHILD = f"print({READY!r}, flush=True)"
_SERVICE_CHILD = f"""
import sys
from bankapp.bank import open_bank
open_bank(sys.argv[1]).close()
print({READY!r}, flush=True)
"""


def time_to_marker(code: str, *args: str) -> float:
    """Seconds from starting a child interpreter to it printing the ready marker."""
    return time_to_markers(code, *args)[0]


def time_to_markers(code: str, *args: str, markers: tuple[str, ...] = (READY,)) -> list[float]:
    """Seconds from starting a child interpreter to it printing each marker, in order."""
    started = time.perf_counter()
    times: list[float] = []
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == markers[len(times)]:
            times.append(time.perf_counter() - started)
            if len(times) == len(markers):
                break
    else:
        _, err = child.communicate(timeout=60)
        raise RuntimeError(f"child did not get ready: {err.strip()[-500:]}")
    child.communicate(timeout=60)
    return times


def time_whole_process(*args: str) -> float:
    """Seconds a child interpreter running `args` takes from start to exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def ui_available() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import screens.app, screens.login"], capture_output=True, timeout=60
    )
    return probe.returncode == 0


def bench_startup(config: BenchConfig, report: Report, fixture: LedgerFixture) -> None:
    """Section 5: start to sign-in screen ready (headless), and `bankapp verify` on the ledger."""
    runs = max(1, config.startup_runs)
    bare = statistics.median(time_to_marker(_BARE_CHILD) for _ in range(runs))
    service = statistics.median(time_to_marker(_SERVICE_CHILD, fixture.url) for _ in range(runs))
    report.add(
        Figure(
            "5 start-up",
            "process start to bank opened (no UI)",
            service * 1000,
            "ms",
            "bare python start",
            bare * 1000,
        )
    )
    helps = max(5, runs)
    bare_five = statistics.median(time_to_marker(_BARE_CHILD) for _ in range(helps))
    shown = statistics.median(time_whole_process("-m", "bankapp", "--help") for _ in range(helps))
    report.add(
        Figure(
            "5 start-up",
            "`bankapp --help` (whole process)",
            shown * 1000,
            "ms",
            "bare python start",
            bare_five * 1000,
            f"target <= 150 ms; median of {helps}",
        )
    )
    if ui_available():
        timed = [
            time_to_markers(_UI_CHILD, fixture.url, markers=(READY, OPENED)) for _ in range(helps)
        ]
        painted = statistics.median(times[0] for times in timed)
        opened = statistics.median(times[1] for times in timed)
        report.add(
            Figure(
                "5 start-up",
                "process start to sign-in screen painted (headless)",
                painted * 1000,
                "ms",
                "bare python start",
                bare_five * 1000,
                f"target <= 300 ms; median of {helps}; the bank opens behind it",
            )
        )
        report.add(
            Figure(
                "5 start-up",
                "process start to bank open behind the sign-in screen",
                opened * 1000,
                "ms",
                "bare python start",
                bare_five * 1000,
                f"median of {helps}; sign-in works from here",
            )
        )
    else:
        report.note("start-up to sign-in screen not measured: screens.app/screens.login absent")
    verify, failure = _timed_verify(fixture)
    if failure:
        # The fixture is meant to be clean: a newer verify rule it does not satisfy is a bug
        # in bankapp/bench/fixture.py (or in the ledger), so say it loudly, then carry on.
        report.note(f"`bankapp verify` FAILED on the bench ledger: {failure}")
        return
    scan = median_seconds(lambda: _raw_scan(fixture.path), 1)
    report.add(
        Figure(
            "5 start-up",
            f"`bankapp verify`, {fixture.spec.postings:,} postings",
            verify,
            "s",
            "raw sqlite3: sum postings per account",
            scan,
            "whole process: start, ledger checks, audit chain",
        )
    )

    since, failure = _timed_since_seal(fixture)
    if failure:
        report.note(f"`bankapp verify --since-seal` FAILED on the bench ledger: {failure}")
        return
    report.add(
        Figure(
            "5 start-up",
            f"`bankapp verify --since-seal`, {DAY_OF_WORK} transfers after a seal",
            since,
            "s",
            "raw sqlite3: sum postings per account",
            scan,
            "whole process; the seal itself is checked",
        )
    )


DAY_OF_WORK = 500


def _timed_since_seal(fixture: LedgerFixture) -> tuple[float, str]:
    """Seal a copy of the bench ledger, post a day's transfers, time `verify --since-seal`."""
    from bankapp.bank import open_bank
    from bankapp.bench.fixture import copy_ledger
    from bankapp.bench.transfers import seed_branch, service_transfers

    with tempfile.TemporaryDirectory() as folder:
        copy = copy_ledger(fixture, Path(folder) / "sealed.db")
        key = fixture.path.with_name("bankapp.key")
        if key.exists():
            shutil.copyfile(key, Path(folder) / "bankapp.key")
            (Path(folder) / "bankapp.key").chmod(0o600)
        bank = open_bank(copy.url)
        try:
            bank.operator.seal()
            service_transfers(bank, seed_branch(bank, 2, prefix="day"), DAY_OF_WORK)
        finally:
            bank.close()
        return _timed_verify(copy, "--since-seal")


def _timed_verify(fixture: LedgerFixture, *flags: str) -> tuple[float, str]:
    bankapp = Path(sys.executable).with_name("bankapp")
    command = [str(bankapp)] if bankapp.exists() else [sys.executable, "-m", "bankapp"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--db", fixture.url, "verify", *flags],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    elapsed = time.perf_counter() - started
    failure = "" if done.returncode == 0 else f"{done.stdout[-800:]}{done.stderr[-800:]}"
    return elapsed, failure.strip()


def _raw_scan(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT account_id, sum(amount) FROM postings GROUP BY account_id").fetchall()
    finally:
        conn.close()


def bench_login(config: BenchConfig, report: Report) -> None:
    """Section 6: argon2id hash + verify at the configured parameters vs the OWASP floor."""
    configured = Settings().hash_parameters

    def cost(hashing: PasswordHashing) -> float:
        def once() -> None:
            stored = hashing.hash("a-benchmark-passphrase")
            if not hashing.verify(stored, "a-benchmark-passphrase"):
                raise RuntimeError("argon2 verify failed")

        return median_seconds(once, config.hash_runs)

    floor = cost(PasswordHashing(OWASP_MINIMUM))
    actual = cost(PasswordHashing(configured))
    report.add(
        Figure(
            "6 login",
            f"argon2id hash+verify at m={configured.memory_kib // 1024} MiB "
            f"t={configured.time_cost} p={configured.parallelism}",
            actual * 1000,
            "ms",
            f"OWASP floor m={OWASP_MINIMUM.memory_kib // 1024} MiB t={OWASP_MINIMUM.time_cost} "
            f"p={OWASP_MINIMUM.parallelism}",
            floor * 1000,
        )
    )
