"""Tampering: rows edited, deleted or reordered directly in the database file are found by
`bankapp verify` (ledger and audit) and `bankapp audit verify` (audit chain), which exit 1
and name the first bad row."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bankapp.bank import open_bank
from bankapp.domain.types import AccountKind
from tests.fixtures import TEST_SETTINGS, drop_append_only_guards, funded_account, make_customer
from tests.workload import run_cli


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small bank: two customers, deposits, transfers and a withdrawal; it verifies."""
    path = tmp_path_factory.mktemp("tamper") / "template.db"
    bank = open_bank(f"sqlite:///{path}", create=True, settings=TEST_SETTINGS)
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    a1 = funded_account(bank, alice, 100_00)
    b1 = bank.accounts.open(bob, AccountKind.CHECKING)
    for cents in (10_00, 20_00, 5_00):
        bank.payments.transfer(alice, a1, b1.number, cents, memo="rent")
    bank.payments.withdraw(alice, a1, 1_00)
    assert bank.verify().ok
    bank.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "bank.db"
    path.write_bytes(template.read_bytes())
    return path


def tamper(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        drop_append_only_guards(conn)
        for statement in statements:
            conn.execute(statement)
    conn.close()


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", f"sqlite:///{db}", *args, env={"BANKAPP_LOG_DIR": str(db.parent)})


def first_fault(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 1 with a FAULT report; returns the first problem line."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "FAULT" in result.stdout
    problems = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("-")]
    assert problems, result.stdout
    return problems[0]


def first_audit_seq(db: Path, kind_like: str) -> int:
    conn = sqlite3.connect(db)
    seq = conn.execute("SELECT min(seq) FROM audit_events WHERE kind LIKE ?", (kind_like,))
    value = int(seq.fetchone()[0])
    conn.close()
    return value


def test_the_untouched_database_passes_both_checks(db: Path) -> None:
    assert cli(db, "verify").returncode == 0
    assert cli(db, "audit", "verify").returncode == 0


AUDIT_TAMPERING = {
    "edited details": (
        ["UPDATE audit_events SET details = '{\"amount\": 1}' WHERE seq = {seq}"],
        "seq {seq} ",
    ),
    "deleted row": (["DELETE FROM audit_events WHERE seq = {seq}"], "where {seq} was expected"),
    "reordered rows": (
        [
            "UPDATE audit_events SET seq = -1 WHERE seq = {seq}",
            "UPDATE audit_events SET seq = {seq} WHERE seq = {seq} + 1",
            "UPDATE audit_events SET seq = {seq} + 1 WHERE seq = -1",
        ],
        "seq {seq} ",
    ),
    "deleted last row": (
        ["DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)"],
        "rows at the end were deleted",
    ),
}


@pytest.mark.parametrize("case", list(AUDIT_TAMPERING))
def test_audit_tampering_is_found_by_both_commands(db: Path, case: str) -> None:
    seq = first_audit_seq(db, "money.transfer")
    statements, expected = AUDIT_TAMPERING[case]
    tamper(db, *(s.replace("{seq}", str(seq)) for s in statements))
    named = expected.replace("{seq}", str(seq))
    assert named in first_fault(cli(db, "audit", "verify"))
    assert named in " ".join(cli(db, "verify").stdout.split())


def _transfer_entry(db: Path, n: int = 0) -> int:
    conn = sqlite3.connect(db)
    ids = [
        r[0]
        for r in conn.execute("SELECT id FROM journal_entries WHERE kind = 'transfer' ORDER BY id")
    ]
    conn.close()
    return int(ids[n])


def test_an_edited_posting_amount_is_found(db: Path) -> None:
    entry = _transfer_entry(db)
    tamper(db, f"UPDATE postings SET amount = amount * 10 WHERE entry_id = {entry} AND amount > 0")
    problem = first_fault(cli(db, "verify"))
    assert "account" in problem or f"entry {entry}" in problem
    assert f"journal entry {entry}:" in cli(db, "verify").stdout


def test_a_deleted_posting_leaves_a_one_legged_entry_that_is_named(db: Path) -> None:
    entry = _transfer_entry(db)
    tamper(db, f"DELETE FROM postings WHERE entry_id = {entry} AND amount > 0")
    assert f"journal entry {entry}: 1 postings" in cli(db, "verify").stdout


def test_reordered_postings_break_the_running_balance(db: Path) -> None:
    first, second = _transfer_entry(db, 0), _transfer_entry(db, 1)
    conn = sqlite3.connect(db)
    a, b = (
        conn.execute(f"SELECT id FROM postings WHERE entry_id = {e} AND amount > 0").fetchone()[0]
        for e in (first, second)
    )
    conn.close()
    tamper(
        db,
        f"UPDATE postings SET id = -1 WHERE id = {a}",
        f"UPDATE postings SET id = {a} WHERE id = {b}",
        f"UPDATE postings SET id = {b} WHERE id = -1",
    )
    problem = first_fault(cli(db, "verify"))
    assert f"posting {a} " in problem


def test_a_consistent_edit_of_a_whole_entry_is_caught_by_the_audit_link(db: Path) -> None:
    """Both legs, both balances and both running balances changed together: the books still add
    up, but the audit log recorded the real amount."""
    conn = sqlite3.connect(db)
    entry = conn.execute("SELECT max(id) FROM journal_entries").fetchone()[0]
    legs = conn.execute(f"SELECT account_id, amount FROM postings WHERE entry_id = {entry}")
    statements = []
    for account_id, amount in legs.fetchall():
        extra = 4_00 if amount > 0 else -4_00
        statements += [
            f"UPDATE postings SET amount = amount + {extra}, balance_after = balance_after + "
            f"{extra} WHERE entry_id = {entry} AND account_id = {account_id}",
            f"UPDATE accounts SET balance = balance + {extra} WHERE id = {account_id}",
        ]
    conn.close()
    tamper(db, *statements)
    problem = first_fault(cli(db, "verify"))
    assert f"journal entry {entry}: its postings are" in problem
    assert re.search(r"recorded \d+:-100;\d+:100 \(a leg was redirected or altered\)$", problem)


def test_a_whole_entry_removed_with_its_balances_restored_is_found(db: Path) -> None:
    conn = sqlite3.connect(db)
    entry = conn.execute("SELECT max(id) FROM journal_entries").fetchone()[0]
    legs = conn.execute(f"SELECT account_id, amount FROM postings WHERE entry_id = {entry}")
    statements = [
        f"UPDATE accounts SET balance = balance - ({amount}) WHERE id = {account_id}"
        for account_id, amount in legs.fetchall()
    ]
    conn.close()
    statements += [
        f"DELETE FROM postings WHERE entry_id = {entry}",
        f"DELETE FROM journal_entries WHERE id = {entry}",
    ]
    tamper(db, *statements)
    result = cli(db, "verify")
    problem = first_fault(result)
    assert problem.startswith(f"- journal entry {entry}: recorded by audit row seq "), problem
    assert problem.endswith("but missing (the entry was deleted)"), problem
