"""Bench fixture: a large, balanced, `verify`-clean ledger built by bulk Core inserts, cached."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, update

from bankapp.bank import Bank, open_bank
from bankapp.demo.acting import operator_session
from bankapp.domain.account_numbers import BODY_DIGITS, check_digits, mask_account_number
from bankapp.domain.passwords import OWASP_MINIMUM, PasswordHashing
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.services.audit import GENESIS_HASH, keyed_link, legs_text
from bankapp.services.auth.user_rows import user_view
from bankapp.services.ledger import BANK_CASH
from bankapp.storage import schema
from bankapp.storage.models import Account, AuditEvent, AuditHead, JournalEntry, Posting, User

FIXTURE_VERSION = 1
DEFAULT_CACHE = Path("data/bench")
BENCH_PASSWORD = "bench-passphrase-not-a-secret"
TELLER = "bench_teller"
CHUNK = 20_000

_users: Table = User
_accounts: Table = Account
_entries: Table = JournalEntry
_postings: Table = Posting
_events: Table = AuditEvent
_head: Table = AuditHead


@dataclass(frozen=True)
class LedgerSpec:
    """How big the ledger is: `postings` in all, `hot_postings` of them on one account."""

    postings: int = 1_000_000
    hot_postings: int = 100_000
    customers: int = 500
    days: int = 730
    end: datetime = datetime(2026, 11, 20, 12, 0)
    seed: int = 8

    def __post_init__(self) -> None:
        if self.postings % 2 or self.postings // 2 < 2 * self.customers + self.hot_postings:
            raise ValueError("postings must be even and cover the funding and the hot account")


@dataclass(frozen=True)
class LedgerFixture:
    """A built ledger: where it is and the ids a benchmark needs."""

    path: Path
    spec: LedgerSpec
    teller_id: int
    hot_owner_id: int
    hot_account_id: int
    hot_account_number: str
    hot_owner_username: str
    account_ids: tuple[int, ...]
    account_numbers: tuple[str, ...]
    build_seconds: float

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def hot_owner(self, bank: Bank) -> Actor:
        """A session of the hot account's owner on `bank` (opened by the operator)."""
        user = bank.db.read(lambda tx: user_view(tx, self.hot_owner_id))
        return operator_session(bank, user)


def schema_fingerprint() -> str:
    """Changes whenever a migration file changes, so a stale cached fixture is rebuilt."""
    digest = hashlib.sha256(str(FIXTURE_VERSION).encode())
    for path in sorted((schema.MIGRATIONS / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ledger_database(spec: LedgerSpec, cache_dir: Path = DEFAULT_CACHE) -> LedgerFixture:
    """The cached ledger for `spec`, built on first use (or when the schema changed)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(json.dumps(asdict(spec), default=str).encode()).hexdigest()[:8]
    fingerprint = schema_fingerprint()
    stem = f"ledger-{spec.postings}-{key}-{fingerprint}"
    path, meta_path = cache_dir / f"{stem}.db", cache_dir / f"{stem}.json"
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return _fixture(path, spec, meta)
    for old in cache_dir.glob(f"ledger-{spec.postings}-{key}-*"):
        if fingerprint not in old.name and ".building-" not in old.name:
            old.unlink(missing_ok=True)  # built for a schema that has since changed
    building = cache_dir / f"{stem}.building-{os.getpid()}.db"
    meta = build_ledger(building, spec)
    building.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    meta_path.write_text(json.dumps(meta))
    return _fixture(path, spec, meta)


def copy_ledger(fixture: LedgerFixture, dest: Path) -> LedgerFixture:
    """A private copy of a built ledger, for benchmarks that write."""
    shutil.copyfile(fixture.path, dest)
    return LedgerFixture(**{**fixture.__dict__, "path": dest})


def _fixture(path: Path, spec: LedgerSpec, meta: dict[str, Any]) -> LedgerFixture:
    return LedgerFixture(
        path=path,
        spec=spec,
        teller_id=meta["teller_id"],
        hot_owner_id=meta["hot_owner_id"],
        hot_account_id=meta["hot_account_id"],
        hot_account_number=meta["hot_account_number"],
        hot_owner_username=meta["hot_owner_username"],
        account_ids=tuple(meta["account_ids"]),
        account_numbers=tuple(meta["account_numbers"]),
        build_seconds=meta["build_seconds"],
    )


def build_ledger(path: Path, spec: LedgerSpec) -> dict[str, Any]:
    """Create a migrated database at `path` and fill it; returns the metadata to cache."""
    started = time.perf_counter()
    path.unlink(missing_ok=True)
    bank = open_bank(f"sqlite:///{path}", create=True)
    try:
        rng = random.Random(spec.seed)
        builder = _Builder(spec, rng, bank.db.clock.now())
        with bank.db.engine.connect() as conn:
            with conn.begin():  # the bank's key registers, as at its first audit event
                builder.key_id, builder.chain_key = bank.keys.appending_key(conn, builder.now)
            # Durability is pointless while building a cache file (set outside a transaction).
            conn.connection.driver_connection.execute("PRAGMA synchronous = OFF")  # type: ignore[union-attr]
            with conn.begin():
                builder.insert_people(conn)
            for batch in builder.batches():
                with conn.begin():
                    for table, rows in batch:
                        conn.execute(insert(table), rows)
            with conn.begin():
                builder.finish(conn)
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.commit()
    finally:
        bank.close()
    meta = builder.metadata()
    meta["build_seconds"] = round(time.perf_counter() - started, 2)
    return meta


class _Builder:
    """Generates users, accounts, entries, postings and the audit chain in id order."""

    def __init__(self, spec: LedgerSpec, rng: random.Random, now: datetime) -> None:
        self.spec, self.rng, self.now = spec, rng, now
        self.entries = spec.postings // 2
        self.balance: dict[int, int] = {}
        self.numbers: dict[int, str] = {}
        self.customer_accounts: list[int] = []
        self.owner: dict[int, int] = {}
        self.teller_id = 1
        self.cash_id = 1
        self.hot_id = 0
        self.prev_hash, self.seq = GENESIS_HASH, 0
        self.key_id, self.chain_key = "", b""

    def _number(self) -> str:
        body = str(self.rng.randrange(10 ** (BODY_DIGITS - 1), 10**BODY_DIGITS))
        return body + check_digits(body)

    def insert_people(self, conn: Connection) -> None:
        start = self.spec.end - timedelta(days=self.spec.days + 1)
        password = PasswordHashing(OWASP_MINIMUM).hash(BENCH_PASSWORD)
        users = [self._user(1, TELLER, Role.TELLER, password, start)]
        users += [
            self._user(i + 2, f"bench_c{i:05d}", Role.CUSTOMER, password, start)
            for i in range(self.spec.customers)
        ]
        conn.execute(insert(_users), users)
        accounts = [self._account(1, None, AccountKind.INTERNAL, "Bank cash", start)]
        account_id = 2
        for user in users[1:]:
            for kind in (AccountKind.CHECKING, AccountKind.SAVINGS):
                accounts.append(self._account(account_id, user["id"], kind, kind.value, start))
                self.customer_accounts.append(account_id)
                account_id += 1
        conn.execute(insert(_accounts), accounts)
        self.hot_id = self.customer_accounts[0]

    def _user(self, uid: int, name: str, role: Role, password: str, at: datetime) -> dict[str, Any]:
        return {
            "id": uid,
            "username": name,
            "password_hash": password,
            "role": role.value,
            "full_name": name.replace("_", " ").title(),
            "email": f"{name}@bench.example",
            "status": "active",
            "must_change_password": False,
            "created_at": at,
        }

    def _account(
        self, aid: int, owner: int | None, kind: AccountKind, name: str, at: datetime
    ) -> dict[str, Any]:
        number = self._number()
        self.numbers[aid], self.balance[aid] = number, 0
        if owner is not None:
            self.owner[aid] = owner
        return {
            "id": aid,
            "number": number,
            "owner_id": owner,
            "kind": kind.value,
            "name": name.capitalize(),
            "currency": "USD",
            "balance": 0,
            "held": 0,
            "credit_limit": 0,
            "unbounded": owner is None,
            "status": "open",
            "internal_code": BANK_CASH if owner is None else None,
            "opened_at": at,
        }

    def batches(self) -> Iterator[list[tuple[Table, list[dict[str, Any]]]]]:
        """Chunks of (table, rows) to insert, entries before their postings and audit rows."""
        spec, rng = self.spec, self.rng
        funding = len(self.customer_accounts)
        transfers = self.entries - funding
        hot = set(rng.sample(range(transfers), spec.hot_postings - 1))
        start = spec.end - timedelta(days=spec.days)
        step = timedelta(days=spec.days) / self.entries
        entries: list[dict[str, Any]] = []
        postings: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for index in range(self.entries):
            at = start + step * index
            if index < funding:
                target = self.customer_accounts[index]
                amount = 500_000_000 if target == self.hot_id else 10_000_000
                legs = [(target, amount), (self.cash_id, -amount)]
                kind = "deposit"
            else:
                legs, kind = self._random_legs(index - funding in hot)
            self._append(index + 1, at, kind, legs, entries, postings, events)
            if len(postings) >= CHUNK:
                yield [(_entries, entries), (_postings, postings), (_events, events)]
                entries, postings, events = [], [], []
        if entries:
            yield [(_entries, entries), (_postings, postings), (_events, events)]

    def _random_legs(self, with_hot: bool) -> tuple[list[tuple[int, int]], str]:
        rng = self.rng
        roll = rng.random()
        amount = rng.randrange(100, 50_000)
        if not with_hot and roll < 0.1:
            account = rng.choice(self.customer_accounts[1:])
            if roll < 0.05 or self.balance[account] < amount:
                return [(account, amount), (self.cash_id, -amount)], "deposit"
            return [(account, -amount), (self.cash_id, amount)], "withdrawal"
        source = self.hot_id if with_hot else rng.choice(self.customer_accounts[1:])
        target = rng.choice(self.customer_accounts[1:])
        while target == source:
            target = rng.choice(self.customer_accounts[1:])
        if (with_hot and rng.random() < 0.5) or self.balance[source] < amount:
            source, target = target, source
        amount = min(amount, self.balance[source])
        return [(source, -amount), (target, amount)], "transfer"

    def _append(
        self,
        entry_id: int,
        at: datetime,
        kind: str,
        legs: list[tuple[int, int]],
        entries: list[dict[str, Any]],
        postings: list[dict[str, Any]],
        events: list[dict[str, Any]],
    ) -> None:
        target = next(account for account, amount in legs if amount > 0)
        memo = {
            "deposit": "Cash deposit",
            "withdrawal": "Cash withdrawal",
        }.get(kind, f"Transfer to {mask_account_number(self.numbers[target])}")
        entries.append(
            {
                "id": entry_id,
                "kind": kind,
                "memo": memo,
                "actor_id": self.teller_id,
                "created_at": at,
                "idempotency_key": f"{self.rng.getrandbits(128):032x}",
                "request_hash": f"{self.rng.getrandbits(256):064x}",
            }
        )
        for account, amount in legs:
            self.balance[account] += amount
            postings.append(
                {
                    "entry_id": entry_id,
                    "account_id": account,
                    "amount": amount,
                    "balance_after": self.balance[account],
                    "created_at": at,
                }
            )
        self.seq += 1
        positive = sum(amount for _, amount in legs if amount > 0)
        where = {"account": mask_account_number(self.numbers[legs[0][0]])}
        details = json.dumps({"amount": positive, **where}, sort_keys=True, ensure_ascii=False)
        subject = f"entry {entry_id}"
        leg_text = legs_text(legs)
        digest = keyed_link(
            self.chain_key,
            self.prev_hash,
            self.seq,
            at,
            self.teller_id,
            TELLER,
            f"money.{kind}",
            subject,
            details,
            entry_id,
            leg_text,
            self.key_id,
        )
        events.append(
            {
                "seq": self.seq,
                "at": at,
                "actor_id": self.teller_id,
                "actor_name": TELLER,
                "kind": f"money.{kind}",
                "subject": subject,
                "details": details,
                "prev_hash": self.prev_hash,
                "hash": digest,
                "entry_id": entry_id,
                "legs": leg_text,
                "key_id": self.key_id,
            }
        )
        self.prev_hash = digest

    def finish(self, conn: Connection) -> None:
        for account, balance in self.balance.items():
            conn.execute(update(_accounts).where(_accounts.c.id == account).values(balance=balance))
        conn.execute(update(_head).where(_head.c.id == 1).values(seq=self.seq, hash=self.prev_hash))

    def metadata(self) -> dict[str, Any]:
        ids = self.customer_accounts
        return {
            "teller_id": self.teller_id,
            "hot_owner_id": self.owner[self.hot_id],
            "hot_account_id": self.hot_id,
            "hot_account_number": self.numbers[self.hot_id],
            "hot_owner_username": f"bench_c{self.owner[self.hot_id] - 2:05d}",
            "account_ids": ids,
            "account_numbers": [self.numbers[a] for a in ids],
        }
