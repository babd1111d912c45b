"""The audit trail: append keyed, chained events in the caller's transaction; verify the chain.

Each event's link is an HMAC-SHA256, under a key derived from the installation key, over the
event and the previous link: someone who can write the database file but has not got the key
cannot edit, remove or reorder an event and recompute the chain. Events written before
revision 0004 (when no chain key existed) keep their plain SHA-256 links; the installation
record fixes where they end. A money event also carries its journal entry and every leg."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from bankapp.domain.keyed_hashes import chain_key, show_fingerprint
from bankapp.domain.types import AuditLine, Caller
from bankapp.errors import StorageError
from bankapp.storage.database import Tx
from bankapp.storage.keyring import KeyRing, installation_tag, read_installation
from bankapp.storage.models import AuditEvent, AuditHead, table_of

GENESIS_HASH = "0" * 64
# What json.dumps(..., ensure_ascii=True, separators=(",", ":")) builds on every call.
_CANONICAL = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
_events = table_of(AuditEvent)
_head = table_of(AuditHead)
# Built once: every money operation appends an event (see bankapp.bench).
_LOCK_HEAD = select(_head.c.seq, _head.c.hash).where(_head.c.id == 1).with_for_update()
_APPEND = insert(_events)
_MOVE_HEAD = (
    update(_head)
    .where(_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def event_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    kind: str,
    subject: str,
    details: str,
) -> str:
    canonical = _CANONICAL.encode(
        [prev_hash, seq, at.isoformat(), actor_id, actor_name, kind, subject, details]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def keyed_link(
    key: bytes,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    kind: str,
    subject: str,
    details: str,
    entry_id: int | None,
    legs: str | None,
    key_id: str,
) -> str:
    """The link of an event written since revision 0004: an HMAC under the chain key."""
    canonical = _CANONICAL.encode(
        [
            prev_hash,
            seq,
            at.isoformat(),
            actor_id,
            actor_name,
            kind,
            subject,
            details,
            entry_id,
            legs,
            key_id,
        ]
    )
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def legs_text(legs: Iterable[tuple[int, int]]) -> str:
    """An entry's legs as the audit event records them: "account:amount" sorted, ";"-joined."""
    return ";".join(f"{account}:{amount}" for account, amount in sorted(legs))


def record(
    tx: Tx,
    actor: Caller | None,
    kind: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    *,
    actor_name: str | None = None,
    entry_id: int | None = None,
    legs: str | None = None,
) -> int:
    """Append one event inside the caller's transaction; returns its sequence number. The
    actor's name is the verified caller's (from the database), never what a client claimed."""
    event = NewEvent(kind, subject, details or {}, entry_id, legs)
    return record_many(tx, actor, [event], actor_name=actor_name)


@dataclass(frozen=True)
class NewEvent:
    """One event for `record_many`."""

    kind: str
    subject: str
    details: Mapping[str, Any]
    entry_id: int | None = None
    legs: str | None = None


def record_many(
    tx: Tx, actor: Caller | None, events: Sequence[NewEvent], *, actor_name: str | None = None
) -> int:
    """Append many events in one go (a batch's postings): the head is locked once, the links
    are computed in order and the rows inserted in one statement. Returns the last seq."""
    if tx.keys is None:
        raise StorageError("The audit trail needs the installation key; none is configured.")
    kid, key = tx.keys.appending_key(tx.conn, tx.now)
    head = tx.conn.execute(_LOCK_HEAD).one()
    seq, prev = int(head.seq), str(head.hash)
    name = actor.username if actor else (actor_name or "-")
    actor_id = actor.user_id if actor else None
    rows = []
    for event in events:
        seq += 1
        body = json.dumps(dict(event.details), sort_keys=True, ensure_ascii=False, default=str)
        subject = event.subject[:200]
        digest = keyed_link(
            key, prev, seq, tx.now, actor_id, name, event.kind, subject, body,
            event.entry_id, event.legs, kid,
        )  # fmt: skip
        rows.append(
            {
                "seq": seq,
                "at": tx.now,
                "actor_id": actor_id,
                "actor_name": name,
                "kind": event.kind,
                "subject": subject,
                "details": body,
                "prev_hash": prev,
                "hash": digest,
                "entry_id": event.entry_id,
                "legs": event.legs,
                "key_id": kid,
            }
        )
        prev = digest
    if rows:
        tx.conn.execute(_APPEND, rows)
        tx.conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    return seq


@dataclass(frozen=True)
class ChainReport:
    events: int
    problems: tuple[str, ...]
    # Why the links could not be checked (no key); the chain then does not pass.
    unchecked: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.unchecked is None


def usable_ring(ring: KeyRing | None, installation: object) -> tuple[KeyRing | None, str | None]:
    """The ring if it holds the database's key, else None and why, in words."""
    if ring is None:
        return None, "no installation key is configured"
    try:
        ring.keys()
    except StorageError as exc:
        return None, f"the installation key could not be read at {ring.location}: {exc.message}"
    expected = getattr(installation, "key_fingerprint", None)
    if expected is not None and ring.by_fingerprint(expected) is None:
        return None, (
            f"the key at {ring.location} is not this database's key ({show_fingerprint(expected)})"
        )
    return ring, None


def verify_chain(
    conn: Connection,
    ring: KeyRing | None,
    *,
    after_seq: int = 0,
    after_hash: str = GENESIS_HASH,
    until_seq: int | None = None,
    batch: int = 5_000,
) -> ChainReport:
    """Walk the chain in sequence order from `after_seq` (whose link is `after_hash`); report
    the first edited, deleted, reordered or unkeyed row. Without the key the links cannot be
    checked, and the report says so rather than passing."""
    installation = read_installation(conn)
    ring, why = usable_ring(ring, installation)
    legacy_until = int(installation.legacy_until_seq)  # type: ignore[attr-defined]
    problems: list[str] = []
    if ring is not None:
        problems.extend(_installation_problems(ring, installation))
    prev_hash, expected_seq, count = after_hash, after_seq + 1, 0
    keys: dict[str | None, bytes | None] = {}
    events = _iter_events(conn, batch, after_seq, until_seq)
    for row in events:
        (row_id, seq, at, actor_id, actor_name, kind, subject, details, prev, stored) = row[:10]
        entry_id, legs, kid = row[10:]
        count += 1
        where = f"audit row seq {seq} (id {row_id})"
        if seq != expected_seq:
            problems.append(
                f"audit row id {row_id}: sequence {seq} where {expected_seq} was expected "
                "(a row was deleted or reordered)"
            )
            break
        if prev != prev_hash:
            problems.append(f"{where}: previous-hash link broken")
            break
        if seq <= legacy_until:
            if kid is not None or entry_id is not None:
                problems.append(f"{where}: a keyed event inside the unkeyed part of the chain")
                break
            digest = event_hash(prev, seq, at, actor_id, actor_name, kind, subject, details)
        elif kid is None:
            problems.append(f"{where}: not linked with the installation key")
            break
        elif ring is None:
            digest = stored  # structure only; the report says the links were not checked
        else:
            if kid not in keys:
                keys[kid] = ring.chain_key_for(kid)
            key = keys[kid]
            if key is None:
                problems.append(f"{where}: linked with key {kid}, which is not in the key file")
                break
            digest = keyed_link(
                key,
                prev,
                seq,
                at,
                actor_id,
                actor_name,
                kind,
                subject,
                details,
                entry_id,
                legs,
                kid,
            )
        if digest != stored:
            problems.append(f"{where}: content does not match its link")
            break
        prev_hash, expected_seq = stored, expected_seq + 1
    if not problems and until_seq is None:
        head = conn.execute(select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)).one()
        if head.seq != expected_seq - 1 or head.hash != prev_hash:
            problems.append(
                f"audit chain ends at seq {expected_seq - 1} but the head records seq {head.seq} "
                "(rows at the end were deleted)"
            )
    if not problems and until_seq is not None and expected_seq - 1 != until_seq:
        problems.append(f"audit chain ends at seq {expected_seq - 1}, before seq {until_seq}")
    unchecked = None if ring is not None else f"audit links not checked: {why}"
    return ChainReport(count, tuple(problems), unchecked)


def chain_head_at(conn: Connection, seq: int) -> str | None:
    """The stored link of event `seq` (GENESIS for 0)."""
    if seq == 0:
        return GENESIS_HASH
    found = conn.execute(select(_events.c.hash).where(_events.c.seq == seq)).scalar_one_or_none()
    return None if found is None else str(found)


def _installation_problems(ring: KeyRing, installation: object) -> list[str]:
    fingerprint = getattr(installation, "key_fingerprint", None)
    if fingerprint is None:
        return []
    key = ring.by_fingerprint(fingerprint)
    if key is None:
        return [f"the database belongs to key {fingerprint[:16]}, which is not in the key file"]
    if installation_tag(chain_key(key), installation) != getattr(installation, "tag", None):
        return ["the installation record was altered (its key or the unkeyed-chain boundary)"]
    return []


_CHAIN_BATCH = (
    select(
        _events.c.id,
        _events.c.seq,
        _events.c.at,
        _events.c.actor_id,
        _events.c.actor_name,
        _events.c.kind,
        _events.c.subject,
        _events.c.details,
        _events.c.prev_hash,
        _events.c.hash,
        _events.c.entry_id,
        _events.c.legs,
        _events.c.key_id,
    )
    .where(_events.c.seq > bindparam("after"), _events.c.seq <= bindparam("until"))
    .order_by(_events.c.seq)
    .limit(bindparam("batch"))
)


def _iter_events(
    conn: Connection, batch: int, after: int, until: int | None
) -> Iterator[tuple[Any, ...]]:
    last = after
    limit = until if until is not None else 2**62
    while True:
        rows = conn.execute(_CHAIN_BATCH, {"after": last, "until": limit, "batch": batch}).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][1]


def to_line(row: Any) -> AuditLine:
    return AuditLine(row.seq, row.at, row.actor_name, row.kind, row.subject, row.details)
