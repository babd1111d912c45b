"""A worker process for the reliability tests: random money operations on one database, each
acknowledged operation written to an fsync'd journal, and the checks the parent runs afterwards.

The journal has two kinds of line: an *intent* (written before the service call: the key and
the request) and an *ack* (written and fsync'd only after the call returned). A restarted worker
retries every intent that has no ack, with the same key, as a real client would after a crash.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
import traceback
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text

from bankapp.bank import Bank, open_bank
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import BankError
from bankapp.services.history import HistoryFilter
from bankapp.storage.engine import make_engine
from bankapp.storage.models import Account, JournalEntry
from tests.fixtures import TEST_SETTINGS, cash_in, make_user

OPENING_BALANCE = 500_00
# The crash runs last thousands of operations: ATM withdrawals would drain the customers'
# available money (a check deposit is held until it clears), and from then on nearly every
# transfer is refused and the kills land on refusals. Opened this rich, they never run dry.
CRASH_OPENING_BALANCE = 1_000_000_00
# A load test moves more in a day than a customer's daily limits allow; they are still
# checked and counted on every call (the conditional update runs), they just never refuse.
LOAD_SETTINGS = replace(
    TEST_SETTINGS,
    check_deposit_daily_limit_cents=10**15,
    atm_daily_limit_cents=10**15,
    transfer_out_daily_limit_cents=10**15,
)
ROOT = Path(__file__).resolve().parent.parent
BANKAPP = Path(sys.executable).with_name("bankapp")

# Operation weights: mostly money movement, with retries and reads mixed in.
MIXED = {"deposit": 2, "withdraw": 2, "transfer": 5, "retry": 2, "read": 2}
TRANSFERS = {"transfer": 8, "deposit": 1, "withdraw": 1, "retry": 1}
# A caller must never see these: the service layer retries a locked or busy database.
FORBIDDEN_CODES = {"database_busy", "database_unavailable"}


@dataclass(frozen=True)
class Customer:
    user_id: int
    username: str
    accounts: list[tuple[int, str]]  # (id, number)
    session: str  # a session the parent opened; every worker acts through it

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username, Role.CUSTOMER, session=self.session)


@dataclass(frozen=True)
class Plan:
    """What every worker needs to know about the bank the parent prepared."""

    url: str
    customers: list[Customer]
    opening_total: int

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @staticmethod
    def load(path: Path) -> Plan:
        raw = json.loads(path.read_text())
        customers = [
            Customer(
                c["user_id"],
                c["username"],
                [tuple(a) for a in c["accounts"]],  # type: ignore[misc]
                c["session"],
            )
            for c in raw["customers"]
        ]
        return Plan(raw["url"], customers, raw["opening_total"])


def prepare_bank(
    url: str, *, customers: int = 4, accounts_each: int = 2, opening: int = OPENING_BALANCE
) -> Plan:
    """Create the schema, customers and accounts funded with `opening` the workers will use."""
    bank = open_bank(url, create=True, settings=LOAD_SETTINGS)
    try:
        made: list[Customer] = []
        for i in range(customers):
            name = f"load{i}"
            actor = make_user(
                bank, name, Role.CUSTOMER, full_name=f"Load Tester {i}", email=f"{name}@example.com"
            )
            accounts = []
            for _ in range(accounts_each):
                account = bank.accounts.open(actor, AccountKind.CHECKING)
                cash_in(bank, account.id, opening)  # available at once
                accounts.append((account.id, account.number))
            made.append(Customer(actor.user_id, actor.username, accounts, actor.session))
        return Plan(url, made, customers * accounts_each * opening)
    finally:
        bank.close()


# -- the worker ---------------------------------------------------------------------------


@dataclass
class WorkerStats:
    ops: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ops": dict(self.ops), "errors": dict(self.errors), "violations": self.violations}


class Journal:
    """Append-only JSON lines; `ack` is fsync'd before the worker moves on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, record: dict[str, Any], *, sync: bool) -> None:
        os.write(self._fd, (json.dumps(record) + "\n").encode())
        if sync:
            os.fsync(self._fd)


def read_journal(path: Path, offset: int = 0) -> list[dict[str, Any]]:
    """Every complete line from byte `offset` on; a line torn by a kill mid-write was never
    acknowledged."""
    if not path.exists():
        return []
    with path.open("rb") as journal:
        journal.seek(offset)
        data = journal.read()
    records = []
    for line in data.split(b"\n"):
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


class JournalTail:
    """Reads a journal as it grows: each `read` returns the records of the lines completed
    since the previous one, with the offset each line starts at. A line without its newline
    yet waits for the next read (a torn line reads as `read_journal` reads it: skipped)."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def read(self) -> list[tuple[int, dict[str, Any]]]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as journal:
            journal.seek(self.offset)
            data = journal.read()
        complete = data.rfind(b"\n") + 1
        records, at = [], self.offset
        for line in data[:complete].split(b"\n")[:-1]:
            with contextlib.suppress(ValueError):
                records.append((at, json.loads(line)))
            at += len(line) + 1
        self.offset += complete
        return records


class Worker:
    def __init__(
        self, bank: Bank, plan: Plan, journal: Journal, rng: random.Random, mix: dict[str, int]
    ) -> None:
        self.bank, self.plan, self.journal, self.rng = bank, plan, journal, rng
        self.kinds, self.weights = list(mix), list(mix.values())
        self.stats = WorkerStats()
        self.acked: list[dict[str, Any]] = []
        self.tag = uuid.uuid4().hex[:10]
        self.counter = 0
        self.patient = False  # retry a request while the database is unavailable

    def new_request(self, op: str) -> dict[str, Any]:
        self.counter += 1
        customer = self.rng.choice(self.plan.customers)
        account_id, _ = self.rng.choice(customer.accounts)
        request: dict[str, Any] = {
            "key": f"{self.tag}-{self.counter}",
            "op": op,
            "customer": customer.user_id,
            "account": account_id,
            "amount": self.rng.randint(1, 120_00),
        }
        if op == "transfer":
            others = [n for c in self.plan.customers for (i, n) in c.accounts if i != account_id]
            request["to"] = self.rng.choice(others)
        return request

    def call(self, request: dict[str, Any]) -> Any:
        customer = next(c for c in self.plan.customers if c.user_id == request["customer"])
        actor, pay = customer.actor, self.bank.payments
        op, account, amount, key = (
            request["op"],
            request["account"],
            request["amount"],
            request["key"],
        )
        if op == "deposit":
            return pay.deposit(actor, account, amount, memo="load", idempotency_key=key)
        if op == "withdraw":
            return pay.withdraw(actor, account, amount, memo="load", idempotency_key=key)
        return pay.transfer(actor, account, request["to"], amount, memo="load", idempotency_key=key)

    def submit(self, request: dict[str, Any], *, counted_as: str) -> None:
        """Send one money request; journal the intent first and the ack after it returned."""
        self.journal.write({"t": "intent", **request}, sync=False)
        while True:
            try:
                result = self.call(request)
                break
            except BankError as exc:
                self.stats.errors[exc.code] += 1
                if self.patient and exc.code in FORBIDDEN_CODES:
                    # The server is down or restarting: send the same request again, with
                    # the same key, as a client would once it answers (posted at most once).
                    time.sleep(self.rng.uniform(0.05, 0.2))
                    continue
                self.journal.write(
                    {"t": "refused", "key": request["key"], "code": exc.code}, sync=False
                )
                return
        ack = {"t": "ack", **request, "entry": result.entry_id, "replayed": result.replayed}
        self.journal.write(ack, sync=True)
        self.stats.ops[counted_as] += 1
        if counted_as != "retry":
            self.acked.append(ack)

    def retry(self) -> None:
        """Send an acknowledged request again: the bank must answer with the first entry."""
        if not self.acked:
            return
        first = self.rng.choice(self.acked)
        request = {
            k: first[k] for k in ("key", "op", "customer", "account", "amount", "to") if k in first
        }
        result = self.call(request)
        self.stats.ops["retry"] += 1
        if not result.replayed or result.entry_id != first["entry"]:
            self.stats.violations.append(
                f"retry of {request['key']} gave entry {result.entry_id} "
                f"(replayed={result.replayed}), first answer was entry {first['entry']}"
            )

    def read(self) -> None:
        customer = self.rng.choice(self.plan.customers)
        account_id, _ = self.rng.choice(customer.accounts)
        self.bank.history.page(
            customer.actor, account_id, filters=HistoryFilter(memo_contains="load"), limit=20
        )
        self.bank.accounts.list_accounts(customer.actor)
        self.stats.ops["read"] += 1

    def resume(self, offset: int = 0) -> None:
        """Retry every request a previous (killed) run sent but never saw answered; the parent
        may pass the `offset` before which every request was answered, so a restart does
        not read the whole (growing) journal again."""
        records = read_journal(self.journal.path, offset)
        answered = {r["key"] for r in records if r["t"] in ("ack", "refused")}
        for record in records:
            if record["t"] == "intent" and record["key"] not in answered:
                request = {k: v for k, v in record.items() if k != "t"}
                self.submit(request, counted_as="resumed")

    def step(self) -> None:
        op = self.rng.choices(self.kinds, self.weights)[0]
        try:
            if op == "retry":
                self.retry()
            elif op == "read":
                self.read()
            else:
                self.submit(self.new_request(op), counted_as=op)
        except BankError as exc:
            self.stats.errors[exc.code] += 1
        except Exception as exc:  # anything untyped is a finding: record it for the parent
            self.stats.errors[f"unexpected:{type(exc).__name__}"] += 1
            self.stats.violations.append("".join(traceback.format_exception(exc))[-1500:])


def worker_main(
    plan_path: str,
    journal_path: str,
    stats_path: str,
    seed: int,
    seconds: float | None,
    mix: dict[str, int],
    stop_file: str | None = None,
    resume_from: int = 0,
) -> None:
    """Entry point of one worker process; runs for `seconds`, or until killed when None.
    With `stop_file` it is patient (see `Worker.submit`) and ends once that file exists.
    It first retries its journal's unanswered requests (from byte `resume_from` on)."""
    plan = Plan.load(Path(plan_path))
    # The parent created the schema: a restarted worker skips the schema check, so a kill
    # cycle costs the start of a client, not a migration scan.
    bank = Bank(make_engine(plan.url), settings=LOAD_SETTINGS)
    worker = Worker(bank, plan, Journal(Path(journal_path)), random.Random(seed), mix)
    worker.patient = stop_file is not None
    worker.resume(resume_from)
    deadline = time.monotonic() + seconds if seconds is not None else float("inf")
    while time.monotonic() < deadline and not (stop_file and os.path.exists(stop_file)):
        worker.step()
    bank.close()
    Path(stats_path).write_text(json.dumps(worker.stats.to_json()))


def duel_main(
    plan_path: str,
    journal_path: str,
    stats_path: str,
    shared_seed: int,
    count: int,
    start_at: float,
) -> None:
    """Send the same `count` requests (same keys, same fields) as every other duelling worker,
    in this worker's own order, all starting at `start_at`: each key must post exactly once."""
    plan = Plan.load(Path(plan_path))
    bank = open_bank(plan.url, settings=LOAD_SETTINGS)
    worker = Worker(bank, plan, Journal(Path(journal_path)), random.Random(shared_seed), MIXED)
    worker.tag = f"duel{shared_seed}"
    requests = [
        worker.new_request(worker.rng.choice(["deposit", "transfer"])) for _ in range(count)
    ]
    for request in requests:
        request["amount"] = 1 + request["amount"] % 500  # small: no refusal splits a key
    random.Random(os.getpid()).shuffle(requests)
    time.sleep(max(0.0, start_at - time.time()))
    for request in requests:
        try:
            worker.submit(request, counted_as="duel")
        except Exception as exc:
            worker.stats.errors[f"unexpected:{type(exc).__name__}"] += 1
            worker.stats.violations.append("".join(traceback.format_exception(exc))[-1500:])
    bank.close()
    Path(stats_path).write_text(json.dumps(worker.stats.to_json()))


def process_context() -> BaseContext:
    """Worker processes fork from a server that has already imported bankapp, so each
    start (and restart after a kill) takes milliseconds instead of a second of imports.
    Every child also runs the main module again (as `__mp_main__`); run as `python -m
    tests.soak`, the server preloads that module too, or each child would import what it
    imports (60 ms a start)."""
    ctx = multiprocessing.get_context("forkserver")
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    main = [spec.name] if spec is not None and spec.name.startswith("tests.") else []
    ctx.set_forkserver_preload(["tests.workload", *main])
    return ctx


# -- the parent's checks --------------------------------------------------------------------


@dataclass
class LedgerCheck:
    acked: int
    entries_by_workers: int
    problems: list[str]
    lost: int = 0  # acknowledged operations not in the ledger as the entry acknowledged
    doubled: int = 0  # keys acknowledged as two entries, or posted twice
    acked_transfers: int = 0


# The kind of entry each workload operation posts: a customer's own deposit is a check,
# their own withdrawal the ATM.
LEDGER_KIND = {"deposit": "check_deposit", "withdraw": "atm_withdrawal", "transfer": "transfer"}


def caller_key_part(stored: str | None) -> str | None:
    """The key a caller sent, from the stored "u<user id>:<key>"."""
    return stored.split(":", 1)[1] if stored else stored


def check_ledger(
    plan: Plan, journals: list[Path], *, every_entry_acked: bool, engine: Engine | None = None
) -> LedgerCheck:
    """Every acknowledged operation is in the ledger exactly once, nothing went negative,
    and customer money equals the opening money plus deposits minus withdrawals. A caller
    checking many times passes its own `engine`."""
    problems: list[str] = []
    acks: dict[str, dict[str, Any]] = {}
    intents: set[str] = set()
    lost = doubled = 0
    for path in journals:
        for record in read_journal(path):
            if record["t"] == "intent":
                intents.add(record["key"])
            elif record["t"] == "ack":
                first = acks.setdefault(record["key"], record)
                if first["entry"] != record["entry"]:
                    doubled += 1
                    problems.append(
                        f"key {record['key']} acknowledged as entries "
                        f"{first['entry']} and {record['entry']}"
                    )
    accounts, journal = Account, JournalEntry
    own = engine is None
    engine = engine or create_engine(plan.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(journal.c.id, journal.c.kind, journal.c.idempotency_key).where(
                    journal.c.memo == "load"
                )
            ).all()
            # Stored keys are in their caller's namespace ("u<id>:<key>").
            by_key = {caller_key_part(row.idempotency_key): row for row in rows}
            dup = (
                conn.execute(
                    select(journal.c.idempotency_key)
                    .where(journal.c.idempotency_key.is_not(None))
                    .group_by(journal.c.idempotency_key)
                    .having(func.count() > 1)
                )
                .scalars()
                .all()
            )
            negative = conn.execute(
                select(accounts.c.id, accounts.c.balance).where(
                    accounts.c.unbounded.is_(False), accounts.c.balance < 0
                )
            ).all()
            customer_total = conn.execute(
                select(func.coalesce(func.sum(accounts.c.balance), 0)).where(
                    accounts.c.owner_id.is_not(None)
                )
            ).scalar_one()
            all_total = conn.execute(select(func.sum(accounts.c.balance))).scalar_one()
            flows = conn.execute(
                text(
                    "SELECT e.kind, SUM(p.amount) FROM journal_entries e JOIN postings p "
                    "ON p.entry_id = e.id JOIN accounts a ON a.id = p.account_id "
                    "WHERE a.owner_id IS NOT NULL AND e.memo = 'load' GROUP BY e.kind"
                )
            ).all()
    finally:
        if own:
            engine.dispose()
    for key, ack in acks.items():
        row = by_key.get(key)
        if row is None:
            lost += 1
            problems.append(f"acknowledged {ack['op']} {key} (entry {ack['entry']}) is missing")
        elif row.id != ack["entry"] or row.kind != LEDGER_KIND[ack["op"]]:
            lost += 1
            problems.append(
                f"acknowledged {key} was entry {ack['entry']} ({ack['op']}) but the "
                f"ledger has entry {row.id} ({row.kind})"
            )
    unacked = set(by_key) - set(acks)
    if every_entry_acked and unacked:
        problems.append(f"{len(unacked)} entries nobody acknowledged: {sorted(unacked)[:5]}")
    if unacked - intents:
        problems.append(f"entries no worker ever requested: {sorted(unacked - intents)[:5]}")
    doubled += len(dup)
    problems += [f"idempotency key {key} posted more than once" for key in dup]
    problems += [f"account {row.id} has a negative balance {row.balance}" for row in negative]
    if all_total != 0:
        problems.append(f"all balances sum to {all_total}, not 0")
    flow = dict((kind, int(total)) for kind, total in flows)
    expected = plan.opening_total + flow.get("check_deposit", 0) + flow.get("atm_withdrawal", 0)
    if flow.get("transfer", 0) != 0 or customer_total != expected:
        problems.append(
            f"customer money {customer_total} but opening + deposits - withdrawals "
            f"is {expected} (transfers net {flow.get('transfer', 0)})"
        )
    if every_entry_acked:
        acked_flow = sum(
            a["amount"] * {"deposit": 1, "withdraw": -1, "transfer": 0}[a["op"]]
            for a in acks.values()
        )
        if customer_total != plan.opening_total + acked_flow:
            problems.append(
                f"customer money {customer_total} differs from the acknowledged "
                f"operations' {plan.opening_total + acked_flow}"
            )
    transfers = sum(1 for ack in acks.values() if ack["op"] == "transfer")
    return LedgerCheck(len(acks), len(by_key), problems, lost, doubled, transfers)


@dataclass(frozen=True)
class KillMoment:
    """Where a kill caught the worker: requests it had sent and not seen answered, and how
    many of those the ledger already holds (killed between the commit and the ack)."""

    unanswered: int
    committed: int


class LedgerWatch:
    """The check after each kill of a lone worker, kept incremental: it reads only the journal
    lines and the ledger entries that are new since the previous check, so the check after
    the 1,000th kill costs what the first did. It runs while no worker does (the one worker
    is dead), and proves what `check_ledger` proves of a run still going: every acknowledged
    operation is in the ledger once, as the entry acknowledged; no entry appears that no
    request asked for, or for a refused one; none vanishes; nothing is negative; the
    balances sum to zero and customer money is the opening money plus deposits minus
    withdrawals."""

    def __init__(self, plan: Plan, journal: Path, engine: Engine) -> None:
        self.plan, self.engine, self.tail = plan, engine, JournalTail(journal)
        self.acks: dict[str, dict[str, Any]] = {}
        self.unanswered: dict[str, int] = {}  # key -> offset of its first intent line
        self.intents: set[str] = set()
        self.refused: set[str] = set()
        self.entries: dict[str | None, tuple[int, str]] = {}  # caller's key -> (id, kind)
        self.last_entry = 0
        self.flow: Counter[str] = Counter()
        self.lost = self.doubled = 0

    @property
    def resume_from(self) -> int:
        """Where a restarted worker starts reading its journal: it holds no unanswered
        request before this offset."""
        return min(self.unanswered.values(), default=self.tail.offset)

    def check(self) -> tuple[list[str], KillMoment]:
        problems: list[str] = []
        new_acks = []
        for offset, record in self.tail.read():
            key = record["key"]
            if record["t"] == "intent":
                self.intents.add(key)
                self.unanswered.setdefault(key, offset)
                continue
            self.unanswered.pop(key, None)
            if record["t"] == "refused":
                self.refused.add(key)
                if key in self.entries:
                    problems.append(f"refused request {key} is entry {self.entries[key][0]}")
                continue
            first = self.acks.setdefault(key, record)
            if first["entry"] != record["entry"]:
                self.doubled += 1
                problems.append(
                    f"key {key} acknowledged as entries {first['entry']} and {record['entry']}"
                )
            new_acks.append(record)
        problems += self._read_ledger(new_acks)
        committed = sum(1 for key in self.unanswered if key in self.entries)
        return problems, KillMoment(len(self.unanswered), committed)

    def _read_ledger(self, new_acks: list[dict[str, Any]]) -> list[str]:
        problems: list[str] = []
        accounts, journal = Account, JournalEntry
        with self.engine.connect() as conn:  # one read transaction: one snapshot
            rows = conn.execute(
                select(journal.c.id, journal.c.kind, journal.c.idempotency_key)
                .where(journal.c.memo == "load", journal.c.id > self.last_entry)
                .order_by(journal.c.id)
            ).all()
            count = conn.execute(
                select(func.count()).select_from(journal).where(journal.c.memo == "load")
            ).scalar_one()
            flows = conn.execute(
                text(
                    "SELECT e.kind, SUM(p.amount) FROM journal_entries e JOIN postings p "
                    "ON p.entry_id = e.id JOIN accounts a ON a.id = p.account_id "
                    "WHERE a.owner_id IS NOT NULL AND e.memo = 'load' AND e.id > :last "
                    "GROUP BY e.kind"
                ),
                {"last": self.last_entry},
            ).all()
            negative = conn.execute(
                select(accounts.c.id, accounts.c.balance).where(
                    accounts.c.unbounded.is_(False), accounts.c.balance < 0
                )
            ).all()
            customer_total = conn.execute(
                select(func.coalesce(func.sum(accounts.c.balance), 0)).where(
                    accounts.c.owner_id.is_not(None)
                )
            ).scalar_one()
            all_total = conn.execute(select(func.sum(accounts.c.balance))).scalar_one()
        for row in rows:
            key = caller_key_part(row.idempotency_key)
            if key in self.entries:
                self.doubled += 1
                problems.append(f"key {key} posted as entries {self.entries[key][0]} and {row.id}")
            self.entries[key] = (row.id, row.kind)
            self.last_entry = row.id
            if key not in self.intents:
                problems.append(f"entry {row.id} ({key}) that no worker ever requested")
            if key in self.refused:
                problems.append(f"refused request {key} is entry {row.id}")
        if count != len(self.entries):
            problems.append(f"{len(self.entries)} load entries were seen, the ledger holds {count}")
        for ack in new_acks:
            found = self.entries.get(ack["key"])
            if found != (ack["entry"], LEDGER_KIND[ack["op"]]):
                self.lost += 1
                problems.append(
                    f"acknowledged {ack['op']} {ack['key']} (entry {ack['entry']}) is "
                    f"{'missing' if found is None else f'entry {found[0]} ({found[1]})'}"
                )
        self.flow.update({kind: int(total) for kind, total in flows})
        problems += [f"account {row.id} has a negative balance {row.balance}" for row in negative]
        if all_total != 0:
            problems.append(f"all balances sum to {all_total}, not 0")
        expected = (
            self.plan.opening_total + self.flow["check_deposit"] + self.flow["atm_withdrawal"]
        )
        if self.flow["transfer"] != 0 or customer_total != expected:
            problems.append(
                f"customer money {customer_total} but opening + deposits - withdrawals "
                f"is {expected} (transfers net {self.flow['transfer']})"
            )
        return problems


def run_cli(
    *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run the installed `bankapp` command as a subprocess."""
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(
        [str(BANKAPP), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
        **kwargs,
    )


def cli_verify(url: str, log_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", url, "verify", env={"BANKAPP_LOG_DIR": str(log_dir)})


def merge_stats(paths: list[Path]) -> WorkerStats:
    total = WorkerStats()
    for path in paths:
        if path.exists():
            raw = json.loads(path.read_text())
            total.ops.update(raw["ops"])
            total.errors.update(raw["errors"])
            total.violations.extend(raw["violations"])
    return total


def merge_journal_stats(journals: list[Path]) -> Counter[str]:
    """Operations by kind as the journals recorded them (for runs ended by SIGKILL)."""
    counts: Counter[str] = Counter()
    for path in journals:
        for record in read_journal(path):
            if record["t"] == "ack":
                counts[record["op"]] += 1
    return counts


if __name__ == "__main__":  # pragma: no cover - manual use: python -m tests.workload PLAN ...
    worker_main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), None, MIXED)
