"""Crash and load scenarios shared by the fast tests and `make soak`: real processes, SIGKILL,
the `bankapp verify` command, and the ledger checks from `tests.workload`."""

from __future__ import annotations

import random
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path

from sqlalchemy import Engine, create_engine, select, text

from bankapp.bank import Bank, open_bank
from bankapp.services.verify import verify_ledger
from bankapp.storage.engine import make_engine
from bankapp.storage.models import JournalEntry
from tests.fixtures import TEST_SETTINGS
from tests.pg_cluster import ThrowawayCluster
from tests.workload import (
    CRASH_OPENING_BALANCE,
    FORBIDDEN_CODES,
    LEDGER_KIND,
    MIXED,
    TRANSFERS,
    JournalTail,
    LedgerWatch,
    Plan,
    check_ledger,
    cli_verify,
    duel_main,
    merge_journal_stats,
    merge_stats,
    prepare_bank,
    process_context,
    read_journal,
    worker_main,
)


@dataclass
class CrashReport:
    kills: int = 0
    survived: int = 0  # kills after which the check found nothing
    acked: int = 0
    acked_transfers: int = 0
    lost: int = 0
    doubled: int = 0
    in_flight: int = 0  # kills that left a request sent and unanswered
    after_commit: int = 0  # of those, kills between the commit and the acknowledgement
    verified: int = 0  # full verifications (`verify_ledger` in this process, and the full check)
    cli_verified: int = 0  # runs of the `bankapp verify` command
    ops: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"sqlite: {self.survived} kills survived (of {self.kills} SIGKILLs), "
            f"{self.acked} acknowledged operations ({self.acked_transfers} transfers), "
            f"{self.lost} lost, {self.doubled} doubled, "
            f"{_verdict(self.problems)} ({self.verified} in-process verifications, "
            f"{self.cli_verified} `bankapp verify`); "
            f"{self.in_flight} kills caught a request unanswered, {self.after_commit} of them "
            "after its commit"
        )


def _verdict(problems: list[str]) -> str:
    return "verify clean" if not problems else f"{len(problems)} PROBLEMS"


def _wait_for_progress(path: Path, start_size: int, proc: BaseProcess, deadline: float) -> bool:
    """Until the worker acknowledged one more operation (an ack line after `start_size`), so
    each cycle moves the books on before its kill, instead of killing the retry of the same
    unanswered request every time. False if it did not in time."""
    while time.monotonic() < deadline and proc.is_alive():
        if path.exists() and path.stat().st_size > start_size:
            with path.open("rb") as journal:
                journal.seek(start_size)
                if b'"t": "ack"' in journal.read():
                    return True
        time.sleep(0.002)
    return False


def crash_run(
    workdir: Path,
    *,
    kills: int,
    seed: int,
    max_delay: float = 0.1,
    verify_every: int = 10,
    cli_every: int = 100,
) -> CrashReport:
    """Start a transferring worker on a SQLite file, let it acknowledge one operation, SIGKILL
    it a random moment later (0 to `max_delay` s: mid-transfer, mostly), check, restart it;
    `kills` times. A cycle costs the same at the 1,000th kill as at the first: the worker
    forks from a preloaded server and reads its journal from where the unanswered requests
    begin; the check after each kill (`LedgerWatch`) reads only what is new; the books are
    verified in full (`verify_ledger` and `check_ledger`) every `verify_every` kills, and by
    the `bankapp verify` command every `cli_every` kills. A last clean run retries the
    requests the kills left unanswered; then every entry must be acknowledged, and the books
    are verified both ways again."""
    url = f"sqlite:///{workdir / 'bank.db'}"
    plan = prepare_bank(url, customers=3, opening=CRASH_OPENING_BALANCE)
    plan_path, journal, stats = workdir / "plan.json", workdir / "journal.jsonl", workdir / "s"
    plan.save(plan_path)
    ctx, rng, report = process_context(), random.Random(seed), CrashReport()
    checker = open_bank(url, settings=TEST_SETTINGS)
    watch = LedgerWatch(plan, journal, checker.db.engine)
    try:
        for i in range(kills):
            size = journal.stat().st_size if journal.exists() else 0
            proc = ctx.Process(
                target=worker_main,
                args=(str(plan_path), str(journal), str(stats), seed + i, None, TRANSFERS),
                kwargs={"resume_from": watch.resume_from},
            )
            proc.start()
            progressed = _wait_for_progress(journal, size, proc, time.monotonic() + 20)
            time.sleep(rng.uniform(0, max_delay))
            proc.kill()  # SIGKILL: no cleanup, no atexit, no flush
            proc.join()
            report.kills += 1
            problems = [] if progressed else ["no operation acknowledged within 20 s"]
            if proc.exitcode != -signal.SIGKILL:
                problems.append(f"worker ended with {proc.exitcode} before the kill")
            found, moment = watch.check()
            problems += found
            report.in_flight += moment.unanswered > 0
            report.after_commit += moment.committed > 0
            if (i + 1) % verify_every == 0 or i + 1 == kills:
                problems += _verify_books(checker, plan, journal, report)
            if (i + 1) % cli_every == 0 or i + 1 == kills:
                problems += _cli_verify_books(plan, workdir, report)
            report.problems += [f"kill {i + 1}: {p}" for p in problems]
            report.survived += not problems
        final = ctx.Process(
            target=worker_main,
            args=(str(plan_path), str(journal), str(stats), seed - 1, 0.0, TRANSFERS),
            kwargs={"resume_from": watch.resume_from},
        )
        final.start()
        final.join(60)
        problems = [] if final.exitcode == 0 else [f"ended with exit code {final.exitcode}"]
        problems += watch.check()[0]
        if watch.unanswered:
            problems.append(f"{len(watch.unanswered)} requests still unanswered")
        check = check_ledger(plan, [journal], every_entry_acked=True, engine=checker.db.engine)
        problems += check.problems
        problems += _verify_books(checker, plan, journal, report)
        problems += _cli_verify_books(plan, workdir, report)
        report.problems += [f"after the last restart: {p}" for p in problems]
    finally:
        checker.close()
    report.acked, report.acked_transfers = check.acked, check.acked_transfers
    report.lost = max(check.lost, watch.lost)
    report.doubled = max(check.doubled, watch.doubled)
    report.ops = merge_journal_stats([journal])
    return report


def _verify_books(checker: Bank, plan: Plan, journal: Path, report: CrashReport) -> list[str]:
    """The books in full: `verify_ledger`, and the ledger against the whole journal."""
    report.verified += 1
    problems = [f"verify: {p}" for p in checker.verify().problems]
    engine = checker.db.engine
    return problems + check_ledger(plan, [journal], every_entry_acked=False, engine=engine).problems


def _cli_verify_books(plan: Plan, workdir: Path, report: CrashReport) -> list[str]:
    report.cli_verified += 1
    verify = cli_verify(plan.url, workdir)
    if verify.returncode == 0:
        return []
    return [f"bankapp verify exit {verify.returncode}: {verify.stdout}{verify.stderr}"]


@dataclass
class DatabaseCrashReport:
    crashes: int = 0
    survived: int = 0  # crashes after which the check found nothing
    acked: int = 0
    acked_transfers: int = 0
    lost: int = 0
    doubled: int = 0
    unavailable: int = 0  # answers "database unavailable" the clients got while it was down
    ops: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"postgresql: {self.survived} server crashes survived (of {self.crashes}, "
            f"pg_ctl stop -m immediate), {self.acked} acknowledged operations "
            f"({self.acked_transfers} transfers), {self.lost} lost, {self.doubled} doubled, "
            f"{_verdict(self.problems)}; {self.unavailable} "
            "'database unavailable' answers while it was down"
        )


def database_crash_run(
    cluster: ThrowawayCluster, workdir: Path, *, crashes: int, seed: int, processes: int = 3
) -> DatabaseCrashReport:
    """`processes` workers transfer on a throwaway PostgreSQL server that is crashed
    (`pg_ctl stop -m immediate`) while they do and started again, `crashes` times. While it
    is down each client gets "database unavailable" and sends the same request again. After
    each restart every operation acknowledged so far is in the ledger as the entry
    acknowledged and `verify_ledger` is clean, in one snapshot while the workers go on;
    once they stopped, every entry was acknowledged once and `bankapp verify` is clean."""
    rng, report = random.Random(seed), DatabaseCrashReport()
    plan = prepare_bank(cluster.url, customers=3, opening=CRASH_OPENING_BALANCE)
    plan_path, stop = workdir / "plan.json", workdir / "stop"
    plan.save(plan_path)
    journals = [workdir / f"journal-{n}.jsonl" for n in range(processes)]
    stats = [workdir / f"stats-{n}.json" for n in range(processes)]
    tails = [JournalTail(path) for path in journals]
    ctx = process_context()
    procs = [
        ctx.Process(
            target=worker_main,
            args=(str(plan_path), str(journals[n]), str(stats[n]), seed + n, None, TRANSFERS),
            kwargs={"stop_file": str(stop)},
        )
        for n in range(processes)
    ]
    for proc in procs:
        proc.start()
    checker = make_engine(cluster.url)
    try:
        for i in range(crashes):
            sizes = [j.stat().st_size if j.exists() else 0 for j in journals]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not _all_grew(journals, sizes):
                time.sleep(0.01)
            problems = [] if _all_grew(journals, sizes) else ["a worker made no progress before it"]
            time.sleep(rng.uniform(0, 0.3))
            cluster.crash()
            report.crashes += 1
            time.sleep(rng.uniform(0.05, 0.3))  # clients find it down
            cluster.start()
            problems += _books_after_crash(checker, tails)
            report.problems += [f"crash {i + 1}: {p}" for p in problems]
            report.survived += not problems
    finally:
        checker.dispose()
        stop.touch()
        for n, proc in enumerate(procs):
            proc.join(120)
            if proc.exitcode != 0:
                report.problems.append(f"worker {n} ended with exit code {proc.exitcode}")
                proc.kill()
    merged = merge_stats(stats)
    report.ops = merged.ops
    report.unavailable = merged.errors.get("database_unavailable", 0)
    report.problems += merged.violations
    report.problems += [
        f"a client saw {code} {count} times"
        for code, count in merged.errors.items()
        if code != "database_unavailable" and (code in FORBIDDEN_CODES or ":" in code)
    ]
    check = check_ledger(plan, journals, every_entry_acked=True)
    report.acked, report.acked_transfers = check.acked, check.acked_transfers
    report.lost, report.doubled = check.lost, check.doubled
    report.problems += check.problems
    verify = cli_verify(cluster.url, workdir)
    if verify.returncode != 0:
        report.problems.append(f"bankapp verify exit {verify.returncode}: {verify.stdout}")
    return report


def _books_after_crash(checker: Engine, tails: list[JournalTail]) -> list[str]:
    """Every operation the workers acknowledged since the last check (each was committed
    before its ack was written) is in the ledger as the entry acknowledged, and the books
    verify. The journals are read first; then one REPEATABLE READ snapshot, so the
    workers' commits meanwhile do not mix into the checks."""
    acks = {
        f"u{record['customer']}:{record['key']}": record
        for tail in tails
        for _, record in tail.read()
        if record["t"] == "ack"
    }
    entries = JournalEntry
    found: dict[str, tuple[int, str]] = {}
    with checker.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            stored = list(acks)
            for at in range(0, len(stored), 500):
                rows = conn.execute(
                    select(entries.c.idempotency_key, entries.c.id, entries.c.kind).where(
                        entries.c.idempotency_key.in_(stored[at : at + 500])
                    )
                ).all()
                found.update({row.idempotency_key: (row.id, row.kind) for row in rows})
            verified = verify_ledger(conn)
    problems = [f"verify: {p}" for p in verified.problems]
    for stored_key, ack in acks.items():
        if found.get(stored_key) != (ack["entry"], LEDGER_KIND[ack["op"]]):
            problems.append(
                f"acknowledged {ack['op']} {ack['key']} (entry {ack['entry']}) is "
                f"{found.get(stored_key, 'missing')} after the restart"
            )
    return problems


def _all_grew(journals: list[Path], sizes: list[int]) -> bool:
    return all(j.exists() and j.stat().st_size > n for j, n in zip(journals, sizes, strict=True))


@dataclass
class LoadReport:
    backend: str
    processes: int
    seconds: float
    acked: int = 0
    ops: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        total = sum(self.ops.values())
        return (
            f"load {self.backend} x{self.processes} for {self.seconds:g}s: {total} ops "
            f"({total / self.seconds:.0f}/s) {dict(sorted(self.ops.items()))}; errors "
            f"{dict(sorted(self.errors.items())) or 'none'}"
        )


def load_run(
    url: str, workdir: Path, *, processes: int, seconds: float, seed: int, backend: str = "sqlite"
) -> LoadReport:
    """`processes` workers mix every operation on one database for `seconds`; then check."""
    plan = prepare_bank(url)
    plan_path = workdir / "plan.json"
    plan.save(plan_path)
    ctx = process_context()
    journals = [workdir / f"journal-{n}.jsonl" for n in range(processes)]
    stats = [workdir / f"stats-{n}.json" for n in range(processes)]
    procs = [
        ctx.Process(
            target=worker_main,
            args=(str(plan_path), str(journals[n]), str(stats[n]), seed + n, seconds, MIXED),
        )
        for n in range(processes)
    ]
    for proc in procs:
        proc.start()
    report = LoadReport(backend, processes, seconds)
    for n, proc in enumerate(procs):
        proc.join(seconds + 120)
        if proc.exitcode != 0:
            report.problems.append(f"worker {n} ended with exit code {proc.exitcode}")
            proc.kill()
    merged = merge_stats(stats)
    report.ops, report.errors = merged.ops, merged.errors
    report.problems += merged.violations
    report.problems += [
        f"a caller saw {code} {count} times"
        for code, count in merged.errors.items()
        if code in FORBIDDEN_CODES or ":" in code
    ]
    check = check_ledger(plan, journals, every_entry_acked=True)
    report.acked = check.acked
    report.problems += check.problems
    verify = cli_verify(url, workdir)
    if verify.returncode != 0:
        report.problems.append(f"bankapp verify exit {verify.returncode}: {verify.stdout}")
    return report


def duel_run(url: str, workdir: Path, *, processes: int, keys: int, seed: int) -> LoadReport:
    """`processes` workers send the same `keys` requests at the same moment, each in its own
    order: every key is posted once and every worker is answered with that one entry."""
    plan = prepare_bank(url)
    plan_path = workdir / "plan.json"
    plan.save(plan_path)
    ctx = process_context()
    journals = [workdir / f"duel-{n}.jsonl" for n in range(processes)]
    stats = [workdir / f"duel-stats-{n}.json" for n in range(processes)]
    start_at = time.time() + 1.0
    procs = [
        ctx.Process(
            target=duel_main,
            args=(str(plan_path), str(journals[n]), str(stats[n]), seed, keys, start_at),
        )
        for n in range(processes)
    ]
    for proc in procs:
        proc.start()
    report = LoadReport(url.split(":")[0], processes, 0)
    for n, proc in enumerate(procs):
        proc.join(300)
        if proc.exitcode != 0:
            report.problems.append(f"worker {n} ended with exit code {proc.exitcode}")
            proc.kill()
    merged = merge_stats(stats)
    report.ops, report.errors = merged.ops, merged.errors
    report.problems += merged.violations
    report.problems += (
        [f"a duelling worker was refused: {dict(merged.errors)}"] if merged.errors else []
    )
    check = check_ledger(plan, journals, every_entry_acked=True)
    report.acked = check.acked
    report.problems += check.problems
    if check.acked != keys or check.entries_by_workers != keys:
        report.problems.append(
            f"{keys} keys sent, {check.acked} acknowledged, {check.entries_by_workers} posted"
        )
    first_answers = Counter(
        record["key"]
        for path in journals
        for record in read_journal(path)
        if record["t"] == "ack" and not record["replayed"]
    )
    if sorted(set(first_answers.values())) != [1] or len(first_answers) != keys:
        report.problems.append(
            f"keys posted (not replayed) more or less than once: "
            f"{ {k: n for k, n in first_answers.items() if n != 1} }"
        )
    if report.ops["duel"] != keys * processes:
        report.problems.append(f"{report.ops['duel']} answers for {keys * processes} requests")
    return report


@contextmanager
def postgres_schema(admin_url: str) -> Iterator[str]:
    """A URL for a fresh, empty schema on the PostgreSQL server at `admin_url`; dropped after."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in admin_url else "?"
    try:
        yield f"{admin_url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
