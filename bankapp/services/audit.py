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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from bankapp.domain.types import AuditLine, Caller
from bankapp.errors import StorageError
from bankapp.storage.bulk_rows import execute_rows
from bankapp.storage.database import Tx
from bankapp.storage.direct_statements import fetch_one, fetch_rows
from bankapp.storage.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
# What json.dumps(..., ensure_ascii=True, separators=(",", ":")) builds on every call.
_CANONICAL = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
_events = AuditEvent
_head = AuditHead
# Built once: every money operation appends an event (see bankapp.bench).
_LOCK_HEAD = select(_head.c.seq, _head.c.hash).where(_head.c.id == 1).with_for_update()
_APPEND = insert(_events)
ONE_STATEMENT_EVENTS = 50  # a batch's thousands of events go by executemany instead
_MOVE_HEAD = (
    update(_head)
    .where(_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
# PostgreSQL, one event (every money movement): the event's insert is a data-modifying CTE of
# the statement that moves the head, built once so that SQLAlchemy reuses its compiled form.
_APPEND_ONE = _MOVE_HEAD.add_cte(
    insert(_events)
    .values({c.name: bindparam(c.name) for c in _events.c if not c.primary_key})
    .cte("appended")
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
    message = keyed_message(
        prev_hash, seq, at, actor_id, actor_name, kind, subject, details, entry_id, legs, key_id
    )
    return hmac.digest(key, message, "sha256").hex()


def keyed_message(
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
) -> bytes:
    """What a keyed link is the HMAC of: the event's fields as one canonical JSON array."""
    fields = [prev_hash, seq, at.isoformat(), actor_id, actor_name, kind, subject, details]
    return _CANONICAL.encode([*fields, entry_id, legs, key_id]).encode()


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
    if not events:
        return int(tx.conn.execute(select(_head.c.seq).where(_head.c.id == 1)).scalar_one())
    kid, key = tx.keys.appending_key(tx.conn, tx.now)
    name = actor.username if actor else (actor_name or "-")
    actor_id = actor.user_id if actor else None
    # Everything but the links before the head is locked: every other writer waits on it.
    prepared = [
        (
            event,
            event.subject[:200],
            json.dumps(dict(event.details), sort_keys=True, ensure_ascii=False, default=str),
        )
        for event in events
    ]
    head = fetch_one(tx.conn, _LOCK_HEAD, {})
    seq, prev = int(head.seq), str(head.hash)
    rows = []
    for event, subject, body in prepared:
        seq += 1
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
    if tx.conn.dialect.name == "postgresql" and len(rows) == 1:
        # One round trip while every writer waits on the head (PostgreSQL runs the CTE once).
        fetch_rows(tx.conn, _APPEND_ONE, {**rows[0], "new_seq": seq, "new_hash": prev})
        return seq
    if tx.conn.dialect.name == "postgresql" and len(rows) <= ONE_STATEMENT_EVENTS:
        appended = insert(_events).values(rows).cte("appended")
        moved = update(_head).where(_head.c.id == 1).values(seq=seq, hash=prev).add_cte(appended)
        tx.conn.execute(moved)
        return seq
    execute_rows(tx.conn, _APPEND, rows)
    fetch_rows(tx.conn, _MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    return seq


def to_line(row: Any) -> AuditLine:
    return AuditLine(row.seq, row.at, row.actor_name, row.kind, row.subject, row.details)
