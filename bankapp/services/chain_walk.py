"""Verifying the audit chain: walk it in sequence order and name the first bad row.

Every keyed link is an HMAC over the event's canonical JSON (`audit.keyed_message`). At a
million postings the walk is most of `bankapp verify`, and most of the walk was Python
rebuilding that JSON field by field; on SQLite the database now assembles it (`json_array`)
and Python only re-escapes the details text, hashes and compares. The fast message is only a
shortcut to the same bytes: a row whose fast message could differ (a name outside ASCII, an
unusual timestamp text) or does not match its link is checked again from its full row, so
the verdict and the row named are the same either way."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import Connection, bindparam, select

from bankapp.domain.keyed_hashes import chain_key, hmac_sha256_hex, show_fingerprint
from bankapp.errors import StorageError
from bankapp.services.audit import GENESIS_HASH, event_hash, keyed_message
from bankapp.storage.keyring import KeyRing, installation_tag, read_installation
from bankapp.storage.models import AuditEvent, AuditHead

_events = AuditEvent
_head = AuditHead
BATCH = 20_000


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
    batch: int = BATCH,
) -> ChainReport:
    """Walk the chain in sequence order from `after_seq` (whose link is `after_hash`); report
    the first edited, deleted, reordered or unkeyed row. Without the key the links cannot be
    checked, and the report says so rather than passing.

    On SQLite, keyed pages are first checked whole (`_page_at_once`); a page that does not
    pass at once is walked row by row, which names the first bad row or finds the page
    good (a name outside ASCII, a key rotation inside the page)."""
    installation = read_installation(conn)
    ring, why = usable_ring(ring, installation)
    legacy_until = int(installation.legacy_until_seq)  # type: ignore[attr-defined]
    problems: list[str] = []
    if ring is not None:
        problems.extend(_installation_problems(ring, installation))
    walk = _RowWalk(conn, ring, legacy_until, batch, problems)
    limit = until_seq if until_seq is not None else 2**62
    seq, head, count = after_seq, after_hash, 0
    if ring is not None and conn.dialect.name == "sqlite":
        macs = _PageKeys(ring)
        if seq < legacy_until:  # the unkeyed beginning of an upgraded chain
            seq, head, count = walk.rows(seq, head, min(legacy_until, limit))
        while not problems and seq < limit:
            end = min(seq + batch, limit)
            page = _page_at_once(conn, macs, seq, head, end)
            if page is _EMPTY:
                break  # the end, or a gap the walk below names
            if page is None:
                seq, head, walked = walk.rows(seq, head, end)
            else:
                seq, head, walked = page  # type: ignore[misc]
            count += walked
    if not problems:
        seq, head, walked = walk.rows(seq, head, limit)
        count += walked
    if not problems and until_seq is None:
        stored = conn.execute(select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)).one()
        if stored.seq != seq or stored.hash != head:
            problems.append(
                f"audit chain ends at seq {seq} but the head records seq {stored.seq} "
                "(rows at the end were deleted)"
            )
    if not problems and until_seq is not None and seq != until_seq:
        problems.append(f"audit chain ends at seq {seq}, before seq {until_seq}")
    unchecked = None if ring is not None else f"audit links not checked: {why}"
    return ChainReport(count, tuple(problems), unchecked)


class _RowWalk:
    """The chain row by row: every check, and the first bad row named in `problems`."""

    def __init__(
        self,
        conn: Connection,
        ring: KeyRing | None,
        legacy_until: int,
        batch: int,
        problems: list[str],
    ) -> None:
        self.conn, self.ring, self.legacy_until = conn, ring, legacy_until
        self.batch, self.problems = batch, problems
        self.keys: dict[str, bytes | None] = {}

    def rows(self, after: int, prev_hash: str, until: int) -> tuple[int, str, int]:
        """Check the rows after seq `after` up to `until`; return the last good seq, its
        link and how many rows were read."""
        conn, ring, problems, keys = self.conn, self.ring, self.problems, self.keys
        expected_seq, count = after + 1, 0
        digest_of = hmac.digest
        for row_id, seq, prev, stored, kid, entry_id, message in link_rows(
            conn, after, until, self.batch
        ):
            count += 1
            if seq != expected_seq:
                problems.append(
                    f"audit row id {row_id}: sequence {seq} where {expected_seq} was expected "
                    "(a row was deleted or reordered)"
                )
                break
            where = f"audit row seq {seq} (id {row_id})"
            if prev != prev_hash:
                problems.append(f"{where}: previous-hash link broken")
                break
            if seq <= self.legacy_until:
                if kid is not None or entry_id is not None:
                    problems.append(f"{where}: a keyed event inside the unkeyed part of the chain")
                    break
                full = full_row(conn, seq)
                digest = event_hash(prev, seq, *full[:6])
            elif kid is None:
                problems.append(f"{where}: not linked with the installation key")
                break
            elif ring is None:
                digest = stored  # structure only; the report says the links were not checked
            else:
                key = keys.get(kid)
                if key is None:
                    key = keys[kid] = ring.chain_key_for(kid)
                    if key is None:
                        problems.append(
                            f"{where}: linked with key {kid}, which is not in the key file"
                        )
                        break
                digest = "" if message is None else digest_of(key, message, "sha256").hex()
                if digest != stored:  # the full row decides
                    full = full_row(conn, seq)
                    digest = digest_of(key, _message(prev, seq, full, kid), "sha256").hex()
            if digest != stored:
                problems.append(f"{where}: content does not match its link")
                break
            prev_hash, expected_seq = stored, expected_seq + 1
        return expected_seq - 1, prev_hash, count


class _PageKeys:
    """Each key id's HMAC function (pads hashed once), or None for a key not in the ring."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.found: dict[str, Callable[[bytes], str] | None] = {}

    def get(self, kid: str) -> Callable[[bytes], str] | None:
        if kid not in self.found:
            key = self.ring.chain_key_for(kid)
            self.found[kid] = None if key is None else hmac_sha256_hex(key)
        return self.found[kid]


_EMPTY = object()
_LINK = 64  # hex digits of a link
# One page of keyed events as one row: the links end to end, and the canonical messages
# (as `_SQLITE_PAGE` builds them, with the bullet of masked numbers escaped as json.dumps
# does) one per line; a message holds no raw line break. The aggregate reads the rows in
# the unique index's seq order; if it ever did not, the links would not join and the page
# would be walked row by row.
_SQLITE_PAGE_AT_ONCE = """
SELECT count(*), min(seq), max(seq), min(key_id), max(key_id), count(key_id),
  group_concat(hash, ''),
  CAST(group_concat(replace(json_array(prev_hash, seq, replace(CASE WHEN substr(at, 21) =
    '000000' THEN substr(at, 1, 19) ELSE at END, ' ', 'T'), actor_id, actor_name, kind,
    subject, details, entry_id, legs, key_id), '\u2022', '\\u2022'), char(10)) AS BLOB)
FROM audit_events WHERE seq > ? AND seq <= ?
"""


def _page_at_once(
    conn: Connection, macs: _PageKeys, after: int, prev_hash: str, until: int
) -> tuple[int, str, int] | object | None:
    """The keyed rows after seq `after` up to `until`, checked together: (last seq, its link,
    rows) if every row is there in order, links to the one before and matches its HMAC;
    `_EMPTY` if there are no rows; None if the page must be walked row by row.

    Sound without looking at each row's seq: no row's link can be made without the key, so
    rows that each match their HMAC and join link to link from `prev_hash` are the chain's
    own next rows, in order, with their own (consecutive) sequence numbers."""
    cursor = conn.connection.driver_connection.execute(  # type: ignore[union-attr]
        _SQLITE_PAGE_AT_ONCE, (after, until)
    )
    count, low, high, kid, other_kid, keyed, links, messages = cursor.fetchone()
    if not count:
        return _EMPTY
    mac = macs.get(kid) if kid is not None and kid == other_kid and keyed == count else None
    if (
        mac is None
        or low != after + 1
        or high - low + 1 != count
        or not messages.isascii()
        or b"\x7f" in messages
    ):
        return None
    lines = messages.split(b"\n")
    if len(lines) != count or "".join(map(mac, lines)) != links:
        return None
    previous = b"".join(line[2 : 2 + _LINK] for line in lines).decode()
    if previous != prev_hash + links[:-_LINK]:
        return None
    return high, links[-_LINK:], count


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


# One link row: (id, seq, prev_hash, hash, key_id, entry_id, message or None).
LinkRow = tuple[int, int, str, str, "str | None", "int | None", "bytes | None"]


def link_rows(conn: Connection, after: int, until: int | None, batch: int) -> Iterator[LinkRow]:
    """The chain's rows after seq `after` (to `until`), in order, paged by keyset."""
    rows = _sqlite_link_rows if conn.dialect.name == "sqlite" else _portable_link_rows
    last, limit = after, until if until is not None else 2**62
    while True:
        page = rows(conn, last, limit, batch)
        if not page:
            return
        yield from page
        last = page[-1][1]


_FULL_FIELDS = (
    _events.c.at,
    _events.c.actor_id,
    _events.c.actor_name,
    _events.c.kind,
    _events.c.subject,
    _events.c.details,
    _events.c.entry_id,
    _events.c.legs,
)
_FULL_ROW = select(*_FULL_FIELDS).where(_events.c.seq == bindparam("seq"))
_PORTABLE_PAGE = (
    select(
        _events.c.id,
        _events.c.seq,
        _events.c.prev_hash,
        _events.c.hash,
        _events.c.key_id,
        *_FULL_FIELDS,
    )
    .where(_events.c.seq > bindparam("after"), _events.c.seq <= bindparam("until"))
    .order_by(_events.c.seq)
    .limit(bindparam("batch"))
)


def full_row(conn: Connection, seq: int) -> tuple[Any, ...]:
    """(at, actor_id, actor_name, kind, subject, details, entry_id, legs) of event `seq`."""
    return tuple(conn.execute(_FULL_ROW, {"seq": seq}).one())


def _message(prev: str, seq: int, full: Sequence[Any], kid: str) -> bytes:
    at, actor_id, actor_name, kind, subject, details, entry_id, legs = full
    return keyed_message(
        prev, seq, at, actor_id, actor_name, kind, subject, details, entry_id, legs, kid
    )


def _portable_link_rows(conn: Connection, after: int, until: int, batch: int) -> list[LinkRow]:
    out: list[LinkRow] = []
    params = {"after": after, "until": until, "batch": batch}
    for row_id, seq, prev, stored, kid, *full in conn.execute(_PORTABLE_PAGE, params):
        message = None if kid is None else _message(prev, seq, full, kid)
        out.append((row_id, seq, prev, stored, kid, full[6], message))
    return out


# SQLite builds the canonical JSON around the details; `at` is stored as
# "YYYY-MM-DD HH:MM:SS.ffffff" and datetime.isoformat() drops a zero fraction.
_SQLITE_PAGE = """
SELECT id, seq, prev_hash, hash, key_id, entry_id,
  json_array(prev_hash, seq, replace(CASE WHEN substr(at, 21) = '000000'
    THEN substr(at, 1, 19) ELSE at END, ' ', 'T'), actor_id, actor_name, kind, subject),
  details, json_array(entry_id, legs, key_id)
FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?
"""


def _sqlite_link_rows(conn: Connection, after: int, until: int, batch: int) -> list[LinkRow]:
    cursor = conn.connection.driver_connection.execute(  # type: ignore[union-attr]
        _SQLITE_PAGE, (after, until, batch)
    )
    out: list[LinkRow] = []
    append = out.append
    for row_id, seq, prev, stored, kid, entry_id, head, details, tail in cursor:
        # json_array leaves non-ASCII text and DEL as they are; json.dumps escapes them.
        if kid is not None and head.isascii() and tail.isascii() and "\x7f" not in head:
            message: bytes | None = (
                f"{head[:-1]},{encode_basestring_ascii(details)},{tail[1:]}".encode()
            )
        else:
            message = None
        append((row_id, seq, prev, stored, kid, entry_id, message))
    return out
