"""Ledger verification: balances equal postings, entries balance, running balances chain."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Table, bindparam, func, select, text

from bankapp.services.chain_walk import verify_chain
from bankapp.services.chain_worker import PendingChain
from bankapp.services.seals import last_seal, seal_problems
from bankapp.services.verify_drawers import drawer_problems
from bankapp.storage.keyring import KeyRing, read_installation
from bankapp.storage.models import Account, AuditEvent, Hold, JournalEntry, Posting

_accounts = Account
_entries = JournalEntry
_postings = Posting
_events = AuditEvent
_holds = Hold
MAX_REPORTED = 20


@dataclass(frozen=True)
class VerifyReport:
    accounts: int
    entries: int
    postings: int
    audit_events: int
    problems: tuple[str, ...]
    unchecked: str | None = None  # what could not be checked (no key): not a pass
    since_seal: str | None = None  # the seal line the check started from

    @property
    def ok(self) -> bool:
        return not self.problems and self.unchecked is None


def verify_ledger(
    conn: Connection,
    ring: KeyRing | None = None,
    *,
    since_seal: bool = False,
    chain_elsewhere: Callable[[], PendingChain | None] | None = None,
) -> VerifyReport:
    """Re-derive every balance from postings and check every invariant of the books; with
    `since_seal`, only what was chained after the last seal (the seal itself is checked).
    A full check may walk the audit chain elsewhere (`chain_elsewhere` starts it) meanwhile."""
    installation = read_installation(conn)
    legacy_entry = int(installation.legacy_until_entry)  # type: ignore[attr-defined]
    seal = last_seal(conn) if since_seal else None
    if seal is None:
        pending = chain_elsewhere() if chain_elsewhere is not None else None
        problems = [
            *_balance_problems(conn),
            *_floor_problems(conn),
            *_hold_problems(conn),
            *_entry_problems(conn),
            *_running_balance_problems(conn),
            *_audit_link_problems(conn),
            *_legs_problems(conn, legacy_entry),
            *drawer_problems(conn),
            *seal_problems(conn),
        ]
        chain = pending() if pending is not None else verify_chain(conn, ring)
    else:
        after = int(seal.seq)  # type: ignore[attr-defined]
        problems = [
            *_floor_problems(conn),
            *_hold_problems(conn),
            *_legs_problems(conn, legacy_entry, after_seq=after),
            *_recent_balance_problems(conn, after),
            *drawer_problems(conn),
            *seal_problems(conn, after_seq=after, figures=False),
        ]
        chain = verify_chain(conn, ring, after_seq=after, after_hash=seal.head)  # type: ignore[attr-defined]
    problems.extend(chain.problems)
    return VerifyReport(
        accounts=_count(conn, _accounts),
        entries=_count(conn, _entries),
        postings=_count(conn, _postings),
        audit_events=chain.events,
        problems=tuple(problems),
        unchecked=chain.unchecked,
        since_seal=None if seal is None else str(seal.line),  # type: ignore[attr-defined]
    )


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _balance_problems(conn: Connection) -> list[str]:
    """Stored balances that differ from the sum of their postings."""
    sums = (
        select(
            _postings.c.account_id, func.coalesce(func.sum(_postings.c.amount), 0).label("total")
        )
        .group_by(_postings.c.account_id)
        .subquery()
    )
    rows = conn.execute(
        select(_accounts.c.id, _accounts.c.number, _accounts.c.balance, sums.c.total)
        .outerjoin(sums, sums.c.account_id == _accounts.c.id)
        .where(_accounts.c.balance != func.coalesce(sums.c.total, 0))
        .limit(MAX_REPORTED)
    )
    return [
        f"account {row.id} ({row.number}): stored balance {row.balance} but postings sum to "
        f"{row.total or 0}"
        for row in rows
    ]


def _floor_problems(conn: Connection) -> list[str]:
    """Accounts below zero, or below their credit limit."""
    rows = conn.execute(
        select(_accounts.c.id, _accounts.c.number, _accounts.c.balance)
        .where(_accounts.c.unbounded.is_(False), _accounts.c.balance < -_accounts.c.credit_limit)
        .limit(MAX_REPORTED)
    )
    return [
        f"account {row.id} ({row.number}): balance {row.balance} below its floor" for row in rows
    ]


def _hold_problems(conn: Connection) -> list[str]:
    """Held amounts that differ from the sum of active holds, and available balances (balance
    less holds) below the floor."""
    sums = (
        select(_holds.c.account_id, func.sum(_holds.c.amount).label("total"))
        .where(_holds.c.status == "held")
        .group_by(_holds.c.account_id)
        .subquery()
    )
    mismatched = conn.execute(
        select(_accounts.c.id, _accounts.c.number, _accounts.c.held, sums.c.total)
        .outerjoin(sums, sums.c.account_id == _accounts.c.id)
        .where(_accounts.c.held != func.coalesce(sums.c.total, 0))
        .limit(MAX_REPORTED)
    )
    problems = [
        f"account {row.id} ({row.number}): held {row.held} but its active holds sum to "
        f"{row.total or 0}"
        for row in mismatched
    ]
    below = conn.execute(
        select(_accounts.c.id, _accounts.c.number, _accounts.c.balance, _accounts.c.held)
        .where(
            _accounts.c.unbounded.is_(False),
            _accounts.c.balance - _accounts.c.held < -_accounts.c.credit_limit,
        )
        .limit(MAX_REPORTED)
    )
    problems.extend(
        f"account {row.id} ({row.number}): available balance {row.balance - row.held} below "
        "its floor"
        for row in below
    )
    return problems


def _entry_problems(conn: Connection) -> list[str]:
    """Journal entries with no postings (those with postings are checked with their legs,
    `_legs_problems`: they must balance and have two legs or more)."""
    empty = conn.execute(
        select(_entries.c.id)
        .outerjoin(_postings, _postings.c.entry_id == _entries.c.id)
        .where(_postings.c.id.is_(None))
        .limit(MAX_REPORTED)
    )
    return [f"journal entry {row.id}: has no postings" for row in empty]


def _running_balance_problems(conn: Connection) -> list[str]:
    """Each posting's balance_after must equal the running sum of its account's postings."""
    running = (
        select(
            _postings.c.id,
            _postings.c.account_id,
            _postings.c.balance_after,
            func.sum(_postings.c.amount)
            .over(partition_by=_postings.c.account_id, order_by=_postings.c.id)
            .label("running"),
        )
        .with_hint(_postings, "INDEXED BY ix_postings_account_running", "sqlite")
        .subquery()
    )
    rows = conn.execute(
        select(running)
        .where(running.c.running != running.c.balance_after)
        .order_by(running.c.id)
        .limit(MAX_REPORTED)
    ).all()
    return [
        f"posting {row.id} (account {row.account_id}): balance_after {row.balance_after} but "
        f"running sum is {row.running}"
        for row in rows
    ]


def _legs_sql(dialect: str, *, since: bool) -> str:
    """Each entry's legs as its audit event records them (`audit.legs_text`), built in SQL,
    with the entry's total and number of legs; with `since`, only entries whose event comes
    after audit seq :after."""
    chosen = (
        "entry_id IN (SELECT entry_id FROM audit_events WHERE seq > :after AND entry_id IS "
        "NOT NULL)"
        if since
        else "1 = 1"
    )
    if dialect == "postgresql":
        return (
            "SELECT entry_id, string_agg(account_id || ':' || amount, ';' "
            "ORDER BY account_id, amount) AS legs, sum(amount) AS total, count(*) AS n "
            f"FROM postings WHERE {chosen} GROUP BY entry_id"
        )
    # SQLite aggregates in the order it reads rows: the index named is in legs order.
    return (
        "SELECT entry_id, group_concat(account_id || ':' || amount, ';') AS legs, "
        "sum(amount) AS total, count(*) AS n FROM postings INDEXED BY ix_postings_entry_legs "
        f"WHERE {chosen} GROUP BY entry_id"
    )


def _legs_problems(conn: Connection, legacy_entry: int, *, after_seq: int = 0) -> list[str]:
    """Every entry balances on two legs or more; and every entry since keyed events began
    has exactly one audit event naming its legs, and still has exactly those legs: a leg
    redirected to another account, an amount changed or an entry removed (with balances
    adjusted to match) is named here, and the event cannot be edited to match without
    breaking its keyed link."""
    legs = _legs_sql(conn.dialect.name, since=bool(after_seq))
    # Each entry's legs, total and number of legs in one pass over the legs index: it
    # balances, has two legs or more and (since keyed events) has the legs its event
    # recorded. Entries with no postings at all are `_entry_problems`' in a full check.
    if after_seq:
        # Since a seal: the entries recorded after it, and any entry newer than every entry
        # the chain had recorded by then (one with no event at all).
        window = (
            "AND e.id IN (SELECT entry_id FROM audit_events WHERE seq > :after AND entry_id "
            "IS NOT NULL UNION SELECT id FROM journal_entries WHERE id > coalesce((SELECT "
            "entry_id FROM audit_events WHERE seq <= :after AND entry_id IS NOT NULL ORDER BY "
            "seq DESC LIMIT 1), :legacy))"
        )
        source = (
            "FROM journal_entries e LEFT JOIN audit_events ev ON ev.entry_id = e.id "
            f"LEFT JOIN ({legs}) p ON p.entry_id = e.id WHERE e.id > :legacy {window} AND "
            "(ev.seq IS NULL OR p.legs IS NULL OR ev.legs <> p.legs OR p.total <> 0 OR p.n < 2)"
        )
        key = "e.id"
    else:
        source = (
            f"FROM ({legs}) p LEFT JOIN audit_events ev ON ev.entry_id = p.entry_id WHERE "
            "p.total <> 0 OR p.n < 2 OR "
            "(p.entry_id > :legacy AND (ev.seq IS NULL OR ev.legs <> p.legs))"
        )
        key = "p.entry_id"
    mismatched = conn.execute(
        text(
            f"SELECT {key} AS id, ev.seq, ev.legs AS recorded, p.legs AS actual, p.total, p.n "
            f"{source} ORDER BY {key} LIMIT {MAX_REPORTED}"
        ),
        {"legacy": legacy_entry, "after": after_seq},
    ).all()
    problems = []
    for row in mismatched:
        if row.id > legacy_entry and row.seq is None:
            problems.append(f"journal entry {row.id}: no audit event records it")
        elif row.id > legacy_entry and row.recorded != row.actual:
            problems.append(
                f"journal entry {row.id}: its postings are {row.actual or 'none'} but audit "
                f"row seq {row.seq} recorded {row.recorded} (a leg was redirected or altered)"
            )
        if row.actual is not None and (row.total != 0 or row.n < 2):
            problems.append(f"journal entry {row.id}: {row.n} postings summing to {row.total}")
    missing = conn.execute(
        text(
            "SELECT ev.seq, ev.entry_id FROM audit_events ev LEFT JOIN journal_entries e "
            "ON e.id = ev.entry_id WHERE ev.entry_id IS NOT NULL AND ev.seq > :after "
            f"AND e.id IS NULL ORDER BY ev.seq LIMIT {MAX_REPORTED}"
        ),
        {"after": after_seq},
    ).all()
    problems.extend(
        f"journal entry {row.entry_id}: recorded by audit row seq {row.seq} but missing "
        "(the entry was deleted)"
        for row in missing
    )
    return problems[:MAX_REPORTED]


# Postings of the entries chained after audit seq :after (driven from the events' index).
_SINCE = (
    "entry_id IN (SELECT entry_id FROM audit_events WHERE seq > :after AND entry_id IS NOT NULL)"
)


def _recent_balance_problems(conn: Connection, after_seq: int) -> list[str]:
    """For accounts that moved since audit seq `after_seq`: each posting since the first new
    one continues its account's running balance, and the stored balance is the last one's
    (each entry since then balancing is `_legs_problems`'). History before the seal is the
    seal's to vouch for."""
    first: dict[int, int] = {
        int(account): int(posting)
        for account, posting in conn.execute(
            text(f"SELECT account_id, min(id) FROM postings WHERE {_SINCE} GROUP BY account_id"),
            {"after": after_seq},
        )
    }
    problems: list[str] = []
    previous = (
        select(_postings.c.balance_after)
        .where(_postings.c.account_id == bindparam("account"), _postings.c.id < bindparam("first"))
        .order_by(_postings.c.id.desc())
        .limit(1)
    )
    for account_id, first_id in sorted(first.items()):
        running = (
            conn.execute(previous, {"account": account_id, "first": first_id}).scalar_one_or_none()
            or 0
        )
        rows = conn.execute(
            select(_postings.c.id, _postings.c.amount, _postings.c.balance_after)
            .where(_postings.c.account_id == account_id, _postings.c.id >= first_id)
            .order_by(_postings.c.id)
        ).all()
        for row in rows:
            running += row.amount
            if row.balance_after != running:
                problems.append(
                    f"posting {row.id} (account {account_id}): balance_after "
                    f"{row.balance_after} but running sum is {running}"
                )
                break
        stored = conn.execute(
            select(_accounts.c.number, _accounts.c.balance).where(_accounts.c.id == account_id)
        ).one()
        if stored.balance != running:
            problems.append(
                f"account {account_id} ({stored.number}): stored balance {stored.balance} but "
                f"postings sum to {running}"
            )
        if len(problems) >= MAX_REPORTED:
            break
    return problems[:MAX_REPORTED]


def _audit_link_problems(conn: Connection, batch: int = 5_000) -> list[str]:
    """Entries from before keyed events (revision 0004): each money event names an entry and
    its amount; the entry must still move that amount."""
    problems: list[str] = []
    last = 0
    while len(problems) < MAX_REPORTED:
        rows = conn.execute(
            select(_events.c.seq, _events.c.subject, _events.c.details)
            .where(
                _events.c.seq > last,
                _events.c.kind.like("money.%"),
                _events.c.subject.like("entry %"),
                _events.c.entry_id.is_(None),
            )
            .order_by(_events.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        last = rows[-1].seq
        recorded = {}
        for row in rows:
            entry_id, amount = _recorded_amount(row.subject, row.details)
            if entry_id is not None and amount is not None:
                recorded[entry_id] = (row.seq, amount)
        sums = conn.execute(
            select(_postings.c.entry_id, func.sum(_postings.c.amount).label("total"))
            .where(_postings.c.entry_id.in_(list(recorded)), _postings.c.amount > 0)
            .group_by(_postings.c.entry_id)
        )
        moved = {row.entry_id: int(row.total) for row in sums}
        for entry_id, (seq, amount) in sorted(recorded.items(), key=lambda item: item[1][0]):
            if moved.get(entry_id) != amount:
                problems.append(
                    f"journal entry {entry_id}: moves {moved.get(entry_id, 0)} but audit row "
                    f"seq {seq} recorded {amount}"
                )
    return problems[:MAX_REPORTED]


def _recorded_amount(subject: str, details: str) -> tuple[int | None, int | None]:
    try:
        entry_id = int(subject.split()[1])
        amount = json.loads(details).get("amount")
    except (ValueError, IndexError, AttributeError):
        return None, None
    return entry_id, amount if isinstance(amount, int) and not isinstance(amount, bool) else None
