"""`make soak`: the long runs. 1,000 SIGKILLs during transfers on SQLite, 20 crashes of a
throwaway PostgreSQL server during transfers, 2/4/8 processes under load on
SQLite (and PostgreSQL when BANKAPP_TEST_DATABASE_URL is set), and the hostile-input table;
prints the figures at the end and exits non-zero if any check failed."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bankapp.bank import open_bank
from bankapp.clock import FixedClock
from tests.fixtures import FROZEN_NOW, TEST_SETTINGS
from tests.pg_cluster import ThrowawayCluster, postgres_bin
from tests.reliability.hostile import HostileReport, run_everything
from tests.scenarios import (
    CrashReport,
    DatabaseCrashReport,
    LoadReport,
    crash_run,
    database_crash_run,
    duel_run,
    load_run,
    postgres_schema,
)

PG_URL = os.environ.get("BANKAPP_TEST_DATABASE_URL", "")


def _say(text: str) -> None:
    print(text, flush=True)


def soak_crashes(root: Path, kills: int, seed: int) -> CrashReport:
    _say(f"== crash: {kills} SIGKILLs during transfers on SQLite")
    workdir = root / "crash"
    workdir.mkdir()
    started = time.monotonic()
    report = crash_run(workdir, kills=kills, seed=seed)
    _say(f"   {report.summary()} [{time.monotonic() - started:.0f} s]")
    return report


def soak_database_crashes(root: Path, crashes: int, seed: int) -> DatabaseCrashReport:
    _say(f"== database crash: {crashes} PostgreSQL crashes (pg_ctl stop -m immediate)")
    bin_dir = postgres_bin()
    if bin_dir is None:
        report = DatabaseCrashReport()
        report.problems.append("no PostgreSQL installed (initdb not found): crash leg not run")
        _say("   " + report.problems[0])
        return report
    workdir = root / "pg-crash"
    workdir.mkdir()
    cluster = ThrowawayCluster(bin_dir)
    started = time.monotonic()
    try:
        cluster.create()
        cluster.start()
        report = database_crash_run(cluster, workdir, crashes=crashes, seed=seed)
    finally:
        cluster.remove()
    _say(f"   {report.summary()} [{time.monotonic() - started:.0f} s]")
    return report


def soak_load(root: Path, seconds: float, seed: int) -> list[LoadReport]:
    reports = []
    backends = ["sqlite"] + (["postgresql"] if PG_URL else [])
    for backend in backends:
        for processes in (2, 4, 8):
            _say(f"== load: {processes} processes on {backend} for {seconds:g} s")
            workdir = root / f"load-{backend}-{processes}"
            workdir.mkdir()
            if backend == "sqlite":
                report = load_run(
                    f"sqlite:///{workdir / 'bank.db'}",
                    workdir,
                    processes=processes,
                    seconds=seconds,
                    seed=seed + processes,
                )
            else:
                with postgres_schema(PG_URL) as url:
                    report = load_run(
                        url,
                        workdir,
                        processes=processes,
                        seconds=seconds,
                        seed=seed + processes,
                        backend=backend,
                    )
            _say("   " + report.summary())
            reports.append(report)
        _say(f"== idempotency race: 8 processes send the same 200 keys on {backend}")
        workdir = root / f"duel-{backend}"
        workdir.mkdir()
        if backend == "sqlite":
            report = duel_run(
                f"sqlite:///{workdir / 'bank.db'}", workdir, processes=8, keys=200, seed=seed
            )
        else:
            with postgres_schema(PG_URL) as url:
                report = duel_run(url, workdir, processes=8, keys=200, seed=seed)
        report.backend = backend
        _say(
            f"   {report.acked} keys posted once each, {report.ops['duel']} answers, "
            f"{len(report.problems)} problems"
        )
        reports.append(report)
    if not PG_URL:
        _say("   (PostgreSQL load skipped: BANKAPP_TEST_DATABASE_URL is not set)")
    return reports


def soak_hostile(root: Path) -> HostileReport:
    total = HostileReport()
    urls = [("sqlite", f"sqlite:///{root / 'hostile.db'}")]
    for backend, url in urls + ([("postgresql", "")] if PG_URL else []):
        _say(f"== hostile input on {backend}")
        if backend == "postgresql":
            with postgres_schema(PG_URL) as pg_url:
                part = _hostile_on(pg_url)
        else:
            part = _hostile_on(url)
        _say(
            f"   {part.tried} tried: {part.refused} refused, {part.accepted} accepted, "
            f"{len(part.failures)} failures"
        )
        total.tried += part.tried
        total.refused += part.refused
        total.accepted += part.accepted
        total.failures += part.failures
    return total


def _hostile_on(url: str) -> HostileReport:
    bank = open_bank(url, create=True, clock=FixedClock(FROZEN_NOW), settings=TEST_SETTINGS)
    try:
        return run_everything(bank)
    finally:
        bank.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__)
    parser.add_argument("--kills", type=int, default=1000, help="SIGKILLs in the crash run")
    parser.add_argument(
        "--pg-crashes", type=int, default=20, help="PostgreSQL server crashes (throwaway cluster)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of each load run")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    args = parser.parse_args(argv)
    started = time.monotonic()
    _say(f"soak: seed {args.seed} (rerun with --seed {args.seed})")
    with tempfile.TemporaryDirectory(prefix="bankapp-soak-") as tmp:
        root = Path(tmp)
        crash = soak_crashes(root, args.kills, args.seed)
        db_crash = soak_database_crashes(root, args.pg_crashes, args.seed)
        loads = soak_load(root, args.seconds, args.seed)
        hostile = soak_hostile(root)
    problems = (
        crash.problems
        + db_crash.problems
        + [p for r in loads for p in r.problems]
        + hostile.failures
    )
    ops: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for report in loads:
        ops.update(report.ops)
        errors.update(report.errors)
    _say("")
    _say(f"== soak figures (seed {args.seed}, {time.monotonic() - started:.0f} s)")
    _say(crash.summary())
    _say(db_crash.summary())
    _say(f"operations under load:   {sum(ops.values())} {dict(sorted(ops.items()))}")
    for report in loads:
        what = f"in {report.seconds:g} s" if report.seconds else "(same keys at once)"
        _say(f"    {report.backend:<10} x{report.processes}: {sum(report.ops.values())} ops {what}")
    _say(f"errors by kind:          {dict(sorted(errors.items())) or 'none'}")
    _say(
        f"hostile inputs tried:    {hostile.tried} ({hostile.refused} refused, "
        f"{hostile.accepted} stored literally or accepted)"
    )
    _say(f"problems:                {len(problems)}")
    for problem in problems[:30]:
        _say(f"  - {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
