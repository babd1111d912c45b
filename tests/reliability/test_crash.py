"""Crash safety: SIGKILL a process in the middle of transfers; nothing acknowledged is lost,
nothing is half-written, and `bankapp verify` passes after every kill."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from bankapp.bank import open_bank
from tests.fixtures import TEST_SETTINGS, drop_append_only_guards
from tests.scenarios import crash_run
from tests.workload import Journal, LedgerWatch, check_ledger, prepare_bank


def test_transfers_survive_sigkill_at_random_moments(tmp_path: Path) -> None:
    report = crash_run(tmp_path, kills=3, seed=7)
    print(report.summary())
    assert report.problems == []
    assert report.survived == report.kills == 3
    assert report.acked > 0


def test_the_journal_check_notices_an_acknowledged_entry_that_is_missing(tmp_path: Path) -> None:
    """The crash check can fail: remove an acknowledged entry behind the bank's back."""
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    plan = prepare_bank(url, customers=2, accounts_each=1)

    bank = open_bank(url, settings=TEST_SETTINGS)
    payer, payee = plan.customers
    result = bank.payments.transfer(
        payer.actor,
        payer.accounts[0][0],
        payee.accounts[0][1],
        100,
        memo="load",
        idempotency_key="k-1",
    )
    bank.close()
    journal = Journal(tmp_path / "journal.jsonl")
    journal.write({"t": "intent", "key": "k-1"}, sync=False)
    journal.write(
        {"t": "ack", "key": "k-1", "op": "transfer", "entry": result.entry_id, "amount": 100},
        sync=True,
    )
    assert check_ledger(plan, [journal.path], every_entry_acked=True).problems == []
    engine = create_engine(url)
    with engine.begin() as conn:
        drop_append_only_guards(conn)
        conn.execute(text("DELETE FROM postings WHERE entry_id = :e"), {"e": result.entry_id})
        conn.execute(text("DELETE FROM journal_entries WHERE id = :e"), {"e": result.entry_id})
    engine.dispose()
    problems = check_ledger(plan, [journal.path], every_entry_acked=True).problems
    assert any("k-1" in p and "missing" in p for p in problems), problems


def test_the_check_after_each_kill_notices_what_the_full_check_does(tmp_path: Path) -> None:
    """`LedgerWatch` reads only what is new since its last check; it still tells where a
    restart must resume, and notices an entry no request asked for and an acknowledged
    entry removed after it was checked."""
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    plan = prepare_bank(url, customers=2, accounts_each=1)
    bank = open_bank(url, settings=TEST_SETTINGS)
    payer, payee = plan.customers
    journal = Journal(tmp_path / "journal.jsonl")
    watch = LedgerWatch(plan, journal.path, bank.db.engine)

    def transfer(key: str) -> int:
        return bank.payments.transfer(
            payer.actor,
            payer.accounts[0][0],
            payee.accounts[0][1],
            100,
            memo="load",
            idempotency_key=key,
        ).entry_id

    journal.write({"t": "intent", "key": "k-1"}, sync=False)
    first = transfer("k-1")
    journal.write({"t": "ack", "key": "k-1", "op": "transfer", "entry": first}, sync=True)
    journal.write({"t": "intent", "key": "k-2"}, sync=False)
    transfer("k-2")  # committed; the worker was killed before its ack
    problems, moment = watch.check()
    assert problems == []
    assert (moment.unanswered, moment.committed) == (1, 1)
    lines = journal.path.read_bytes().splitlines(keepends=True)
    assert watch.resume_from == len(lines[0]) + len(lines[1])  # the k-2 intent

    transfer("k-3")  # no intent in the journal
    problems, _ = watch.check()
    assert any("k-3" in p and "no worker ever requested" in p for p in problems), problems

    engine = create_engine(url)
    with engine.begin() as conn:
        drop_append_only_guards(conn)
        conn.execute(text("DELETE FROM postings WHERE entry_id = :e"), {"e": first})
        conn.execute(text("DELETE FROM journal_entries WHERE id = :e"), {"e": first})
    engine.dispose()
    problems, _ = watch.check()
    bank.close()
    assert any("the ledger holds 2" in p for p in problems), problems
