"""The audit trail: append hash-chained events in the caller's transaction, and verify the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from bankapp.domain.types import AuditLine, Caller
from bankapp.storage.database import Tx
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


def record(
    tx: Tx,
    actor: Caller | None,
    kind: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    *,
    actor_name: str | None = None,
) -> int:
    """Append one event inside the caller's transaction; returns its sequence number. The
    actor's name is the verified caller's (from the database), never what a client claimed."""
    head = tx.conn.execute(_LOCK_HEAD).one()
    seq = int(head.seq) + 1
    name = actor.username if actor else (actor_name or "-")
    actor_id = actor.user_id if actor else None
    body = json.dumps(dict(details or {}), sort_keys=True, ensure_ascii=False, default=str)
    digest = event_hash(head.hash, seq, tx.now, actor_id, name, kind, subject[:200], body)
    tx.conn.execute(
        _APPEND,
        {
            "seq": seq,
            "at": tx.now,
            "actor_id": actor_id,
            "actor_name": name,
            "kind": kind,
            "subject": subject[:200],
            "details": body,
            "prev_hash": head.hash,
            "hash": digest,
        },
    )
    tx.conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": digest})
    return seq


@dataclass(frozen=True)
class ChainReport:
    events: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(conn: Connection, *, batch: int = 5_000) -> ChainReport:
    """Walk the chain in sequence order; report the first edited, deleted or reordered row."""
    problems: list[str] = []
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    # Plain tuples: this loop runs once per audit row, so attribute lookups add up.
    events = _iter_events(conn, batch)
    for row_id, seq, at, actor_id, actor_name, kind, subject, details, prev, stored in events:
        count += 1
        if seq != expected_seq:
            problems.append(
                f"audit row id {row_id}: sequence {seq} where {expected_seq} was expected "
                "(a row was deleted or reordered)"
            )
            break
        if prev != prev_hash:
            problems.append(f"audit row seq {seq} (id {row_id}): previous-hash link broken")
            break
        digest = event_hash(prev, seq, at, actor_id, actor_name, kind, subject, details)
        if digest != stored:
            problems.append(f"audit row seq {seq} (id {row_id}): content does not match hash")
            break
        prev_hash, expected_seq = stored, expected_seq + 1
    if not problems:
        head = conn.execute(select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)).one()
        if head.seq != expected_seq - 1 or head.hash != prev_hash:
            problems.append(
                f"audit chain ends at seq {expected_seq - 1} but the head records seq {head.seq} "
                "(rows at the end were deleted)"
            )
    return ChainReport(count, tuple(problems))


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
    )
    .where(_events.c.seq > bindparam("after"))
    .order_by(_events.c.seq)
    .limit(bindparam("batch"))
)


def _iter_events(conn: Connection, batch: int) -> Iterator[tuple[Any, ...]]:
    last = 0
    while True:
        rows = conn.execute(_CHAIN_BATCH, {"after": last, "batch": batch}).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][1]


def to_line(row: Any) -> AuditLine:
    return AuditLine(row.seq, row.at, row.actor_name, row.kind, row.subject, row.details)
