"""Seals: checkpoints of the books a supervisor writes down or sends elsewhere.

A seal records, for one business date, the audit chain's head (its last sequence number and
link) and the count and sum of postings per account kind for every entry chained up to it,
and is itself an audit event. Its one-line form (`seal_line`) is short enough to copy by
hand; `check_seal_line` later proves that nothing up to the seal changed since — the chain
up to it still ends in the same link, and the postings still add up to the same figures —
even against someone who later obtained the installation key and recomputed the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Connection, and_, func, insert, select

from bankapp.domain.types import Caller
from bankapp.errors import ValidationFailed
from bankapp.services import audit, chain_walk
from bankapp.storage.database import Tx
from bankapp.storage.keyring import KeyRing, read_installation
from bankapp.storage.models import Account, AuditEvent, AuditHead, Posting, Seal

_accounts = Account
_postings = Posting
_events = AuditEvent
_head = AuditHead
_seals = Seal

LINE_PREFIX = "bankapp-seal"
HEAD_CHARS = 20  # 80 bits of the chain head: enough that no one can aim at it


Figures = dict[str, tuple[int, int]]  # account kind -> (count of postings, their sum)


@dataclass(frozen=True)
class SealView:
    business_date: date
    seq: int
    head: str
    postings: int
    summary: Figures
    line: str


def summarise(conn: Connection, seq: int) -> tuple[Figures, int]:
    """Count and sum of postings per account kind, over every entry chained at or before
    `seq` (entries from before keyed events: by the installation record's boundary); and the
    highest posting id among them. Defined by the chain, not by posting ids, because ids are
    handed out before a transaction commits and the chain's order is the commit order."""
    return summaries(conn, [seq])[0]


def summaries(conn: Connection, seqs: Sequence[int]) -> list[tuple[Figures, int]]:
    """`summarise` for each of `seqs` (ascending), in one pass over the books: the postings
    before keyed events once, then those of the entries chained after each previous seq,
    added on. Each entry has at most one event (a unique index), so none is counted twice."""
    installation = read_installation(conn)
    legacy_entry = int(installation.legacy_until_entry)  # type: ignore[attr-defined]
    figures, last_posting = _figures(conn, _postings.c.entry_id <= legacy_entry)
    found: list[tuple[Figures, int]] = []
    after = 0
    for seq in seqs:
        chained = (
            select(_events.c.entry_id)
            .where(_events.c.entry_id.is_not(None), _events.c.seq > after, _events.c.seq <= seq)
            .scalar_subquery()
        )
        more, highest = _figures(
            conn, and_(_postings.c.entry_id > legacy_entry, _postings.c.entry_id.in_(chained))
        )
        for kind, (count, total) in more.items():
            had = figures.get(kind, (0, 0))
            figures[kind] = (had[0] + count, had[1] + total)
        figures = dict(sorted(figures.items()))
        last_posting = max(last_posting, highest)
        found.append((dict(figures), last_posting))
        after = seq
    return found


def _figures(conn: Connection, chosen: ColumnElement[bool]) -> tuple[Figures, int]:
    rows = conn.execute(
        select(
            _accounts.c.kind,
            func.count(_postings.c.id),
            func.coalesce(func.sum(_postings.c.amount), 0),
            func.coalesce(func.max(_postings.c.id), 0),
        )
        .join(_accounts, _accounts.c.id == _postings.c.account_id)
        .where(chosen)
        .group_by(_accounts.c.kind)
        .order_by(_accounts.c.kind)
    ).all()
    figures = {str(kind): (int(count), int(total)) for kind, count, total, _ in rows}
    return figures, max((int(row[3]) for row in rows), default=0)


def _digest(business_date: date, seq: int, head: str, summary: Figures) -> str:
    canonical = json.dumps(
        [business_date.isoformat(), seq, head, sorted(summary.items())], separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:HEAD_CHARS]


def seal_line(business_date: date, seq: int, head: str, summary: Figures) -> str:
    """`bankapp-seal:<date>:<seq>:<head, 20 hex>:<digest of the figures, 20 hex>`."""
    return (
        f"{LINE_PREFIX}:{business_date.isoformat()}:{seq}:{head[:HEAD_CHARS]}:"
        f"{_digest(business_date, seq, head, summary)}"
    )


def write_seal(tx: Tx, business_date: date, *, sealed_by: Caller | None) -> SealView:
    """Seal the books as they stand in this transaction. The seal's own audit event is
    appended after the head it records, so the chain carries the seal forward."""
    head = tx.conn.execute(
        select(_head.c.seq, _head.c.hash).where(_head.c.id == 1).with_for_update()
    ).one()
    seq, link = int(head.seq), str(head.hash)
    summary, last_posting = summarise(tx.conn, seq)
    line = seal_line(business_date, seq, link, summary)
    by = sealed_by.username if sealed_by else "system"
    tx.conn.execute(
        insert(_seals).values(
            business_date=business_date,
            seq=seq,
            head=link,
            last_posting_id=last_posting,
            summary=json.dumps(summary, sort_keys=True),
            line=line,
            sealed_at=tx.now,
            sealed_by=by,
        )
    )
    audit.record(
        tx,
        sealed_by,
        "audit.seal",
        f"seal {business_date.isoformat()}",
        {"line": line, "seq": seq},
        actor_name=None if sealed_by else "system",
    )
    return SealView(business_date, seq, link, sum(c for c, _ in summary.values()), summary, line)


def parse_line(line: str) -> tuple[date, int, str, str]:
    parts = line.strip().split(":")
    try:
        if len(parts) != 5 or parts[0] != LINE_PREFIX:
            raise ValueError
        return date.fromisoformat(parts[1]), int(parts[2]), parts[3].lower(), parts[4].lower()
    except ValueError:
        raise ValidationFailed(
            f"That is not a seal line; it looks like {LINE_PREFIX}:YYYY-MM-DD:SEQ:HEAD:DIGEST."
        ) from None


def check_seal_line(conn: Connection, ring: KeyRing | None, line: str) -> list[str]:
    """Problems found proving that nothing up to the seal `line` describes has changed; an
    empty list is the proof. Needs the key to check each event's content."""
    business_date, seq, head_prefix, digest = parse_line(line)
    chain = chain_walk.verify_chain(conn, ring, until_seq=seq)
    problems = list(chain.problems)
    if chain.unchecked:
        problems.append(f"{chain.unchecked}; the seal cannot be proved without the key")
    head = chain_walk.chain_head_at(conn, seq)
    if head is None or head[:HEAD_CHARS] != head_prefix:
        problems.append(
            f"the audit chain at seq {seq} no longer ends in {head_prefix}: events up to the "
            "seal were changed, removed or re-linked"
        )
    else:
        summary, _ = summarise(conn, seq)
        if _digest(business_date, seq, head, summary) != digest:
            problems.append(
                "the postings up to the seal no longer add up to the sealed figures "
                f"(now {summary})"
            )
    return problems


def seal_problems(conn: Connection, *, after_seq: int = 0, figures: bool = True) -> list[str]:
    """Each stored seal (after `after_seq`) still matches the chain and its own audit event,
    and, with `figures`, the postings' sums it recorded (a full scan of the books up to it)."""
    problems: list[str] = []
    rows = conn.execute(
        select(_seals).where(_seals.c.seq >= after_seq).order_by(_seals.c.seq)
    ).all()
    computed = summaries(conn, [row.seq for row in rows]) if figures else []
    for index, row in enumerate(rows):
        head = chain_walk.chain_head_at(conn, row.seq)
        if figures:
            summary, _ = computed[index]
        else:
            summary = {k: (int(v[0]), int(v[1])) for k, v in json.loads(row.summary).items()}
        expected = seal_line(row.business_date, row.seq, head or "", summary)
        if head != row.head or expected != row.line:
            problems.append(
                f"seal of {row.business_date} (seq {row.seq}): no longer matches the books "
                "or the chain"
            )
        recorded = conn.execute(
            select(_events.c.details).where(
                and_(_events.c.kind == "audit.seal", _events.c.seq == row.seq + 1)
            )
        ).scalar_one_or_none()
        if recorded is None or json.loads(recorded).get("line") != row.line:
            problems.append(
                f"seal of {row.business_date} (seq {row.seq}): differs from its audit event"
            )
    return problems


def last_seal(conn: Connection) -> object | None:
    return conn.execute(select(_seals).order_by(_seals.c.seq.desc()).limit(1)).one_or_none()
