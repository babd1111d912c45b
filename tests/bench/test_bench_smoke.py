"""The bench harness runs end to end at tiny sizes, and its ledger fixture verifies clean."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bankapp.bank import open_bank
from bankapp.bench.fixture import LedgerSpec, ledger_database
from bankapp.bench.harness import BenchConfig
from bankapp.bench.runner import run
from bankapp.bench.transfers import BENCH_SETTINGS


def test_the_bench_ledger_balances_and_passes_verify(tmp_path: Path) -> None:
    spec = LedgerSpec(postings=2_000, hot_postings=300, customers=5)
    fixture = ledger_database(spec, tmp_path)
    bank = open_bank(fixture.url, settings=BENCH_SETTINGS)
    try:
        report = bank.verify()
        hot = bank.accounts.get(fixture.hot_owner(bank), fixture.hot_account_id)
    finally:
        bank.close()
    assert report.ok, report.problems
    assert (report.postings, report.entries, report.audit_events) == (2_000, 1_000, 1_000)
    assert hot.number == fixture.hot_account_number
    history = sqlite_count(fixture.path, fixture.hot_account_id)
    assert history == 300


def test_the_bench_ledger_is_built_once_and_then_reused(tmp_path: Path) -> None:
    spec = LedgerSpec(postings=400, hot_postings=50, customers=3)
    first = ledger_database(spec, tmp_path)
    stamp = first.path.stat().st_mtime_ns
    again = ledger_database(spec, tmp_path)
    assert again.path == first.path
    assert again.path.stat().st_mtime_ns == stamp
    assert again.hot_account_id == first.hot_account_id


@pytest.mark.slow
def test_bench_runs_every_section_at_tiny_sizes_and_saves_json(tmp_path: Path) -> None:
    config = BenchConfig.small(tmp_path, postgres_url=None)
    report = run(config)
    sections = {figure.section for figure in report.figures}
    assert {
        "1 transfers",
        "2 tellers",
        "3 statement",
        "4 history",
        "5 start-up",
        "6 login",
        "7 close of business (sqlite)",
    } <= sections
    assert not [n for n in report.notes if "interest entries" in n], report.notes
    assert all(figure.value > 0 and figure.baseline > 0 for figure in report.figures)
    assert any("bankapp verify" in figure.name for figure in report.figures), report.notes
    assert "ratio" in report.table()
    saved = json.loads(report.save(tmp_path).read_text())
    assert len(saved["figures"]) == len(report.figures)
    assert all(f["ratio"] is not None for f in saved["figures"])


def sqlite_count(path: Path, account_id: int) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM postings WHERE account_id = ?", (account_id,)
            ).fetchone()[0]
        )
    finally:
        conn.close()
