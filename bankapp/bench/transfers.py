"""Transfers per second: the service layer against a raw sqlite3 loop, and concurrent tellers."""

from __future__ import annotations

import multiprocessing as mp
import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bankapp.bank import Bank, open_bank
from bankapp.bench.harness import BenchConfig, Figure, Report, percentile
from bankapp.demo.acting import operator_session
from bankapp.domain.passwords import OWASP_MINIMUM
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import BankError
from bankapp.settings import Settings
from bankapp.storage.engine import busy_timeout_ms
from bankapp.storage.memo_index import INDEX_MEMOS

# Daily limits as high as a benchmark's volume needs: they are still checked on every
# transfer (the counter is updated), they just never refuse one.
BENCH_SETTINGS = Settings(
    hash_parameters=OWASP_MINIMUM,
    transfer_out_daily_limit_cents=10**15,
)
SEED_PASSWORD = "bench-branch-passphrase"
FUNDING = 500_000  # cents per account: under the maker-checker threshold
CHUNK = 50  # transfers per alternation between the raw loop and the service


@dataclass(frozen=True)
class Branch:
    """A small bank for write benchmarks: one teller and funded customer accounts."""

    teller: Actor
    customers: tuple[Actor, ...]
    account_ids: tuple[int, ...]
    numbers: tuple[str, ...]


def seed_branch(bank: Bank, customers: int, prefix: str = "bench") -> Branch:
    """A teller and `customers` customers with one funded checking account each."""
    teller_view = bank.operator.create_user(
        username=f"{prefix}_teller",
        password=SEED_PASSWORD,
        role=Role.TELLER,
        full_name="Bench Teller",
        email="teller@bench.example",
        must_change_password=False,
    )
    teller = operator_session(bank, teller_view)
    bank.drawers.open_drawer(teller, 100_000)  # the accounts are funded in cash at the counter
    actors, ids, numbers = [], [], []
    for i in range(customers):
        view = bank.auth.create_user(
            teller,
            username=f"{prefix}_c{i:03d}",
            password=SEED_PASSWORD,
            full_name=f"Bench Customer {i}",
            email=f"c{i}@bench.example",
            must_change_password=False,
        )
        customer = operator_session(bank, view)
        account = bank.accounts.open(teller, AccountKind.CHECKING, owner_id=view.id)
        bank.payments.deposit(teller, account.id, FUNDING, idempotency_key=uuid.uuid4().hex)
        actors.append(customer)
        ids.append(account.id)
        numbers.append(account.number)
    return Branch(teller, tuple(actors), tuple(ids), tuple(numbers))


# -- 1. one process: service layer vs raw sqlite3 ---------------------------------------------


def service_transfers(bank: Bank, branch: Branch, count: int) -> float:
    """Transfers per second through `bank.payments.transfer` (customer, own account, key)."""
    payer, source = branch.customers[0], branch.account_ids[0]
    target = branch.numbers[1]
    started = time.perf_counter()
    for _ in range(count):
        bank.payments.transfer(
            payer, source, target, 1, memo="bench", idempotency_key=uuid.uuid4().hex
        )
    return count / (time.perf_counter() - started)


_RAW_APPLY = (
    "UPDATE accounts SET balance = balance + ? WHERE id = ? AND status = 'open' "
    "AND (? >= 0 OR unbounded OR balance + ? >= -credit_limit) RETURNING balance"
)
_RAW_ENTRY = (
    "INSERT INTO journal_entries (kind, memo, actor_id, created_at, idempotency_key, "
    "request_hash) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"
)
_RAW_POSTING = (
    "INSERT INTO postings (entry_id, account_id, amount, balance_after, created_at) "
    "VALUES (?, ?, ?, ?, ?)"
)


def raw_connection(path: Path) -> sqlite3.Connection:
    """A sqlite3 connection with the engine's settings: WAL, FULL sync, FKs, busy timeout."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_ms() / 1000)
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def raw_transfers(conn: sqlite3.Connection, branch: Branch, count: int) -> float:
    """The same storage work by hand: entry, two balance updates, two postings, one commit."""
    source, target = sorted(branch.account_ids[:2])
    actor = branch.customers[0].user_id
    started = time.perf_counter()
    for _ in range(count):
        now = datetime.now().isoformat(sep=" ")
        conn.execute("BEGIN IMMEDIATE")
        entry_id = conn.execute(
            _RAW_ENTRY, ("transfer", "bench", actor, now, uuid.uuid4().hex, "0" * 64)
        ).fetchone()[0]
        balances = {}
        for account, amount in ((source, -1), (target, 1)):
            row = conn.execute(_RAW_APPLY, (amount, account, amount, amount)).fetchone()
            if row is None:
                raise RuntimeError("raw transfer refused")
            balances[account] = row[0]
        conn.executemany(
            _RAW_POSTING,
            [
                (entry_id, source, -1, balances[source], now),
                (entry_id, target, 1, balances[target], now),
            ],
        )
        conn.execute(INDEX_MEMOS, (entry_id, entry_id))
        conn.execute("COMMIT")
    return count / (time.perf_counter() - started)


def bench_single(config: BenchConfig, report: Report, work: Path) -> None:
    """Section 1: raw and service in alternating chunks on copies of one template, so both
    see the same disk (fsync cost on a shared machine drifts by 10x within a minute)."""
    template = work / "branch.db"
    bank = open_bank(f"sqlite:///{template}", create=True, settings=BENCH_SETTINGS)
    branch = seed_branch(bank, 2)
    bank.close()
    raw_path, svc_path = work / "raw.db", work / "service.db"
    shutil.copyfile(template, raw_path)
    shutil.copyfile(template, svc_path)
    service = open_bank(f"sqlite:///{svc_path}", settings=BENCH_SETTINGS)
    raw = raw_connection(raw_path)
    chunk = min(CHUNK, config.transfers)
    wall = {"raw": 0.0, "service": 0.0}
    cpu = {"raw": 0.0, "service": 0.0}
    try:
        service_transfers(service, branch, chunk)  # warm caches and the pool
        raw_transfers(raw, branch, chunk)

        def run_raw() -> object:
            return raw_transfers(raw, branch, chunk)

        def run_service() -> object:
            return service_transfers(service, branch, chunk)

        for _ in range(max(1, config.transfers // chunk)):
            for name, work_chunk in (("raw", run_raw), ("service", run_service)):
                started, cpu_started = time.perf_counter(), time.process_time()
                work_chunk()
                wall[name] += time.perf_counter() - started
                cpu[name] += time.process_time() - cpu_started
    finally:
        raw.close()
        service.close()
    count = max(1, config.transfers // chunk) * chunk
    report.add(
        Figure(
            "1 transfers",
            "service transfers/s (1 process)",
            count / wall["service"],
            "tx/s",
            "raw sqlite3 loop",
            count / wall["raw"],
            f"target ratio >= 0.50; WAL + synchronous=FULL both; {count} each, "
            f"interleaved in chunks of {chunk}",
        )
    )
    report.add(
        Figure(
            "1 transfers",
            "service CPU per transfer",
            cpu["service"] / count * 1000,
            "ms",
            "raw sqlite3 loop CPU per transfer",
            cpu["raw"] / count * 1000,
            "process CPU time (includes SQLite's own work); immune to fsync noise",
        )
    )


# -- 2. concurrent tellers ----------------------------------------------------------------------


def _teller_worker(
    url: str,
    teller: Actor,
    account_ids: tuple[int, ...],
    numbers: tuple[str, ...],
    seconds: float,
    seed: int,
    go: Any,
    results: Any,
) -> None:
    bank = open_bank(url, settings=BENCH_SETTINGS)
    rng = random.Random(seed)
    latencies: list[float] = []
    refused = 0
    try:
        bank.db.read(lambda tx: None)  # connect before the start signal
        results.put({"ready": True})
        go.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            a, b = rng.sample(range(len(account_ids)), 2)
            started = time.perf_counter()
            try:
                bank.payments.transfer(
                    teller,
                    account_ids[a],
                    numbers[b],
                    rng.randrange(1, 100),
                    idempotency_key=uuid.uuid4().hex,
                )
            except BankError:
                refused += 1
            latencies.append(time.perf_counter() - started)
        results.put(
            {"latencies": latencies, "retries": bank.db.retries, "refused": refused, "error": None}
        )
    except Exception as exc:  # reported by the parent, never swallowed
        results.put(
            {
                "latencies": latencies,
                "retries": bank.db.retries,
                "refused": refused,
                "error": repr(exc),
            }
        )
    finally:
        bank.close()


def run_tellers(url: str, branch: Branch, processes: int, seconds: float) -> dict[str, Any]:
    """`processes` tellers transferring for `seconds`; throughput, latency, retries."""
    ctx = mp.get_context("spawn")
    go, results = ctx.Event(), ctx.Queue()
    workers = [
        ctx.Process(
            target=_teller_worker,
            args=(url, branch.teller, branch.account_ids, branch.numbers, seconds, i, go, results),
        )
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes: list[dict[str, Any]] = []
    ready = 0
    while ready < processes:  # each interpreter has imported and connected, or failed
        message = results.get(timeout=300)
        if message.get("ready"):
            ready += 1
        else:
            outcomes.append(message)
            ready += 1
    go.set()
    outcomes += [results.get(timeout=seconds + 120) for _ in range(processes - len(outcomes))]
    for worker in workers:
        worker.join(timeout=30)
    errors = [o["error"] for o in outcomes if o["error"]]
    if errors:
        raise RuntimeError(f"teller process failed: {errors[0]}")
    latencies = [lat for o in outcomes for lat in o["latencies"]]
    return {
        "count": len(latencies),
        "throughput": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "retries": sum(o["retries"] for o in outcomes),
        "refused": sum(o["refused"] for o in outcomes),
    }


def _report_tellers(report: Report, backend: str, runs: dict[int, dict[str, Any]]) -> None:
    base = runs[min(runs)]
    for n, run in runs.items():
        label = f"{backend} {n} teller{'s' if n > 1 else ''}"
        report.add(
            Figure(
                "2 tellers",
                f"{label}: total transfers/s",
                run["throughput"],
                "tx/s",
                f"{backend} 1 teller",
                base["throughput"],
                f"{run['count']} transfers, {run['retries']} retries on lock, "
                f"{run['refused']} refused",
            )
        )
        report.add(
            Figure(
                "2 tellers",
                f"{label}: p50 latency",
                run["p50_ms"],
                "ms",
                f"{backend} 1 teller p50",
                base["p50_ms"],
            )
        )
        report.add(
            Figure(
                "2 tellers",
                f"{label}: p99 latency",
                run["p99_ms"],
                "ms",
                f"{backend} 1 teller p99",
                base["p99_ms"],
            )
        )
        report.sizes.setdefault("tellers", {})[f"{backend}-{n}"] = run


def bench_tellers(config: BenchConfig, report: Report, work: Path) -> None:
    """Section 2 on SQLite (a fresh copy of one template per run), then PostgreSQL if up."""
    template = work / "tellers.db"
    bank = open_bank(f"sqlite:///{template}", create=True, settings=BENCH_SETTINGS)
    branch = seed_branch(bank, 20 if config.customers >= 20 else 4)
    bank.close()
    runs = {}
    for n in config.teller_counts:
        path = work / f"tellers-{n}.db"
        shutil.copyfile(template, path)
        runs[n] = run_tellers(f"sqlite:///{path}", branch, n, config.teller_seconds)
    _report_tellers(report, "sqlite", runs)
    if config.postgres_url:
        bench_tellers_postgres(config, report)


def postgres_answers(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def bench_tellers_postgres(config: BenchConfig, report: Report) -> None:
    url = config.postgres_url or ""
    if not postgres_answers(url):
        report.note(f"PostgreSQL: no server answered at {url}; its teller figures are absent")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in url else "?"
    schema_url = f"{url}{joiner}options=-csearch_path%3D{schema}"
    try:
        bank = open_bank(schema_url, create=True, settings=BENCH_SETTINGS)
        branch = seed_branch(bank, 20 if config.customers >= 20 else 4)
        bank.close()
        runs = {
            n: run_tellers(schema_url, branch, n, config.teller_seconds)
            for n in config.teller_counts
        }
        _report_tellers(report, "postgres", runs)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def bench_transfers(config: BenchConfig, report: Report) -> None:
    with tempfile.TemporaryDirectory(dir=config.cache, prefix="tmp-") as tmp:
        bench_single(config, report, Path(tmp))
        bench_tellers(config, report, Path(tmp))
