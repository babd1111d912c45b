"""Several processes mix deposits, withdrawals, transfers, idempotent retries and history reads
on one database; afterwards money is conserved and every acknowledged operation is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.scenarios import duel_run, load_run, postgres_schema

PG_URL = os.environ.get("BANKAPP_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("processes", [2, 4])
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_processes_mixing_operations_keep_the_books_whole(
    tmp_path: Path, backend: str, processes: int
) -> None:
    if backend == "sqlite":
        report = load_run(
            f"sqlite:///{tmp_path / 'bank.db'}",
            tmp_path,
            processes=processes,
            seconds=3,
            seed=processes,
        )
    else:
        with postgres_schema(PG_URL) as url:
            report = load_run(
                url, tmp_path, processes=processes, seconds=3, seed=processes, backend=backend
            )
    print(report.summary())
    assert report.problems == []
    assert report.ops["transfer"] > 0 and report.ops["retry"] > 0
    assert not any("database" in code for code in report.errors)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_requests_sent_at_once_by_several_processes_post_once(
    tmp_path: Path, backend: str
) -> None:
    """Idempotency under a race: 3 processes send the same 25 keys at the same moment."""
    if backend == "sqlite":
        report = duel_run(
            f"sqlite:///{tmp_path / 'bank.db'}", tmp_path, processes=3, keys=25, seed=11
        )
    else:
        with postgres_schema(PG_URL) as url:
            report = duel_run(url, tmp_path, processes=3, keys=25, seed=11)
    assert report.problems == []
    assert report.acked == 25 and report.ops["duel"] == 75
