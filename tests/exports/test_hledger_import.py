"""hledger imports a statement CSV with docs/import/hledger.rules (the way docs/import/README.md
says): every running balance holds as a balance assertion, and the closing balance hledger
computes is bankapp's. Runs when hledger is installed (`apt-get install hledger`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.money import cents_to_decimal_string
from bankapp.exports.csv import statement_csv
from tests.exports.test_statement_exports import _statement

RULES = Path(__file__).parents[2] / "docs" / "import" / "hledger.rules"
HLEDGER = shutil.which("hledger")
pytestmark = pytest.mark.skipif(HLEDGER is None, reason="hledger is not installed")


def _journal(document_csv: str, opening_cents: int, first_day: str, folder: Path) -> Path:
    """The README's steps: the CSV converted to a journal with the rules, included by a
    journal that states the opening balance (hledger checks the assertions of CSV input only
    once it is a journal, and across files only through `include`)."""
    csv_file = folder / "statement.csv"
    csv_file.write_text(document_csv)
    converted = folder / "statement.journal"
    done = _hledger("-f", str(csv_file), "--rules-file", str(RULES), "print", "-o", str(converted))
    assert done.returncode == 0, done.stderr
    opening = folder / "opening.journal"
    opening.write_text(
        f"{first_day} Opening balance\n"
        f"    assets:bankapp:checking    {cents_to_decimal_string(opening_cents)} USD\n"
        "    equity:opening\n"
        f"include {converted}\n"
    )
    return opening


def _hledger(*args: str) -> subprocess.CompletedProcess[str]:
    assert HLEDGER is not None
    return subprocess.run([HLEDGER, *args], capture_output=True, text=True, timeout=60, check=False)


def test_hledger_checks_every_running_balance_and_ends_at_the_closing_balance(
    bank: Bank, clock: FixedClock, tmp_path: Path
) -> None:
    document = _statement(bank, clock)  # opens before the period: an opening balance
    summary = document.summary
    assert summary.opening_balance != 0
    journal = _journal(
        statement_csv(document), summary.opening_balance, f"{summary.period.first_day}", tmp_path
    )
    checked = _hledger("-f", str(journal), "print")
    assert checked.returncode == 0, checked.stderr  # every balance assertion held
    assert checked.stdout.count(" = ") == len(document.lines)  # one assertion per line
    balance = _hledger("-f", str(journal), "bal", "assets:bankapp:checking", "-N", "--flat")
    assert balance.returncode == 0, balance.stderr
    closing = cents_to_decimal_string(summary.closing_balance)
    assert balance.stdout.split()[0:2] == [closing, "USD"], balance.stdout


def test_a_changed_amount_breaks_hledgers_balance_assertion(
    bank: Bank, clock: FixedClock, tmp_path: Path
) -> None:
    """The assertions are real: an amount edited in the CSV makes hledger refuse the file."""
    document = _statement(bank, clock)
    lines = statement_csv(document).splitlines()
    fields = lines[1].split(",")
    fields[7] = cents_to_decimal_string(document.lines[0].amount + 1)
    lines[1] = ",".join(fields)
    summary = document.summary
    journal = _journal(
        "\r\n".join(lines) + "\r\n",
        summary.opening_balance,
        f"{summary.period.first_day}",
        tmp_path,
    )
    refused = _hledger("-f", str(journal), "print")
    assert refused.returncode != 0 and "balance assertion" in refused.stderr, refused.stderr
