"""Runs every bench section in order, prints the table and saves it as JSON."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

from bankapp.bench.close_of_business import bench_close
from bankapp.bench.harness import BenchConfig, Report
from bankapp.bench.queries import bench_queries
from bankapp.bench.startup import bench_login, bench_startup
from bankapp.bench.transfers import bench_transfers

SECTIONS = ("transfers", "queries", "startup", "login", "close")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run(config: BenchConfig, sections: Sequence[str] = SECTIONS) -> Report:
    """Measure the chosen sections; every figure carries its same-run baseline."""
    config.cache.mkdir(parents=True, exist_ok=True)
    report = Report()
    report.sizes["config"] = {k: str(v) for k, v in config.__dict__.items()}
    if "transfers" in sections:
        print("1-2. transfers: service vs raw sqlite3, concurrent tellers", flush=True)
        bench_transfers(config, report)
    if "queries" in sections or "startup" in sections:
        print("3-4. statement and history on the large ledger (built once, cached)", flush=True)
        big, _small = bench_queries(config, report)
        if "startup" in sections:
            print("5. start-up and `bankapp verify`", flush=True)
            bench_startup(config, report, big)
    if "login" in sections:
        print("6. argon2id cost", flush=True)
        bench_login(config, report)
    if "close" in sections:
        print("7. close of business: interest for many savings accounts", flush=True)
        bench_close(config, report)
    report.note(
        f"machine: {os.cpu_count()} cores, load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (shared: absolute times are "
        "noisy; compare the ratios)"
    )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bankapp.bench", description=__doc__)
    parser.add_argument("--small", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path("data/bench"),
        help="where fixtures and results go (default data/bench)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BANKAPP_TEST_DATABASE_URL") or DEFAULT_PG,
        help="PostgreSQL URL for the teller runs ('' to skip)",
    )
    args = parser.parse_args(argv)
    pg = args.postgres or None
    config = (
        BenchConfig.small(args.cache, pg)
        if args.small
        else BenchConfig(postgres_url=pg, cache=args.cache)
    )
    started = time.perf_counter()
    report = run(config, args.only or SECTIONS)
    print()
    print(report.table())
    path = report.save(args.cache)
    print(f"\nsaved {path} ({time.perf_counter() - started:.0f} s in all)")
    return 0
