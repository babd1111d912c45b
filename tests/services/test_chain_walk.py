"""The chain walk's fast message (built by SQLite) is exactly the canonical message, or it
is not used: every kind of text an event can hold is tried, and the walk's verdict is the
same through the forked worker as in one process."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.services import audit
from bankapp.services.audit import GENESIS_HASH, NewEvent, keyed_message
from bankapp.services.chain_walk import (
    _page_at_once,
    _PageKeys,
    chain_head_at,
    full_row,
    link_rows,
    verify_chain,
)
from bankapp.services.chain_worker import start_chain_walk
from bankapp.storage.database import Tx
from bankapp.storage.models import AuditEvent
from tests.fixtures import as_attacker

audit_rows = AuditEvent

TEXTS = [
    "plain",
    "•••• 0191 Ünïcode",
    "emoji 🏦 and astral 𝄞",
    'quote " backslash \\ slash /',
    "controls \x01 \x1b[2J \x07 \n \t \r \x08 \x0c",
    "delete \x7f char",
    "",
]


def _events(bank: Bank, clock: FixedClock) -> None:
    for index, text in enumerate(TEXTS):
        # Whole seconds and fractions: isoformat() drops a zero fraction.
        clock.set(datetime(2026, 11, 2, 9, 30, index, 0 if index % 2 else 123456))

        def write(tx: Tx, text: str = text) -> None:
            audit.record_many(
                tx,
                None,
                [NewEvent("test.text", f"subject {text}", {"memo": text, "n": 1})],
                actor_name=f"name {text}"[:64],
            )

        bank.db.write(write)


def test_the_fast_message_is_the_canonical_one_or_none(bank: Bank, clock: FixedClock) -> None:
    _events(bank, clock)
    used = 0
    with bank.db.engine.connect() as conn:
        rows = list(link_rows(conn, 0, None, batch=3))
        assert [row[1] for row in rows] == list(range(1, len(rows) + 1))
        for _, seq, prev, _, kid, _, message in rows:
            assert kid is not None
            full = full_row(conn, seq)
            canonical = keyed_message(prev, seq, *full[:6], full[6], full[7], kid)
            if message is not None:
                assert message == canonical, seq
                used += 1
        report = verify_chain(conn, bank.keys)
    assert report.ok, report.problems
    assert report.events == len(rows)
    if bank.db.dialect == "sqlite":
        # Plain names take the fast path even with non-ASCII details; only the events whose
        # names hold non-ASCII text or DEL are rebuilt from their full row.
        assert used == len(rows) - 3
    else:
        assert used == len(rows)


def test_the_forked_walk_reports_what_one_process_does(
    bank: Bank, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _events(bank, clock)
    url = bank.db.engine.url.render_as_string(hide_password=False)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest-xdist runs threads
    pending = start_chain_walk(url, bank.keys)
    assert pending is not None
    forked = pending()
    with bank.db.engine.connect() as conn:
        here = verify_chain(conn, bank.keys)
    assert forked == here and forked.ok


def _plain_events(bank: Bank, clock: FixedClock, count: int) -> None:
    for index in range(count):
        clock.set(datetime(2026, 11, 3, 9, 0, index, 0 if index % 2 else 250_000))

        def write(tx: Tx, index: int = index) -> None:
            details = {"account": "•••• 0191", "amount": index}  # the masked-number bullet
            audit.record_many(tx, None, [NewEvent("test.plain", f"entry {index}", details)])

        bank.db.write(write)


def test_a_keyed_sqlite_page_is_checked_at_once(bank: Bank, clock: FixedClock) -> None:
    if bank.db.dialect != "sqlite":
        pytest.skip("pages are checked at once on SQLite only")
    _plain_events(bank, clock, 7)
    with bank.db.engine.connect() as conn:
        head = conn.execute(
            select(audit_rows.c.seq, audit_rows.c.hash).order_by(audit_rows.c.seq)
        ).all()
        first = head[0].seq - 1
        page = _page_at_once(
            conn, _PageKeys(bank.keys), first, chain_head_at(conn, first) or "", 10**9
        )
        report = verify_chain(conn, bank.keys, batch=3)
    assert page == (head[-1].seq, head[-1].hash, len(head) - first)
    assert report.ok and report.events == head[-1].seq


@pytest.mark.parametrize("batch", [3, 1000])
def test_an_edited_row_inside_a_page_is_named_by_the_row_walk(
    bank: Bank, clock: FixedClock, batch: int
) -> None:
    _plain_events(bank, clock, 7)
    with bank.db.engine.connect() as conn:
        target = conn.execute(select(func.max(audit_rows.c.seq))).scalar_one() - 2
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            update(audit_rows).where(audit_rows.c.seq == target).values(details='{"amount": 1}')
        ),
    )
    with bank.db.engine.connect() as conn:
        if bank.db.dialect == "sqlite":
            assert _page_at_once(conn, _PageKeys(bank.keys), 0, GENESIS_HASH, 10**9) is None
        report = verify_chain(conn, bank.keys, batch=batch)
    assert len(report.problems) == 1, report.problems
    assert report.problems[0].startswith(f"audit row seq {target} (id ")
    assert report.problems[0].endswith(": content does not match its link")
