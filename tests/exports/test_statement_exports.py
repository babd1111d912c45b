"""Statement exports: CSV round-trips, the PDF shows the totals, files land in the chosen folder."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.errors import ValidationFailed
from bankapp.exports.csv import (
    COLUMNS,
    decimal_to_cents,
    read_statement_csv,
    statement_csv,
    total_of,
)
from bankapp.exports.files import DEFAULT_EXPORT_DIR, export_statement
from bankapp.exports.pdf import statement_pdf
from bankapp.services.statements import StatementDocument, StatementPeriod
from tests.fixtures import PASSWORD, funded_account, make_customer

OCT = StatementPeriod(date(2026, 10, 1), date(2026, 10, 31))
TRICKY_MEMOS = (
    '=HYPERLINK("x")',
    "+1 call me",
    "-minus",
    "@at",
    "'quoted",
    'a "b", c',
    "Café ☕ 東京",
    "",
)


def _statement(bank: Bank, clock: FixedClock) -> StatementDocument:
    alice = make_customer(bank, "alice", "Zoë O'Brien")
    clock.set(datetime(2026, 9, 30, 12))
    account = funded_account(bank, alice, 123_456)
    for i, memo in enumerate(TRICKY_MEMOS):
        clock.set(datetime(2026, 10, 1 + 3 * i, 8, 15, 30))
        bank.payments.deposit(alice, account, 10_001 + i, memo=memo)
        bank.payments.withdraw(alice, account, 2_050, memo=f"spend {i}")
    return bank.statements.generate(alice, account, OCT)


def test_csv_round_trips_every_line_with_decimal_amounts_and_iso_times(
    bank: Bank, clock: FixedClock
) -> None:
    document = _statement(bank, clock)
    text = statement_csv(document)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = read_statement_csv(text)
    assert len(rows) == len(document.lines) == 2 * len(TRICKY_MEMOS)
    for row, line in zip(rows, document.lines, strict=True):
        assert int(row["posting_id"]) == line.posting_id
        assert datetime.fromisoformat(row["booked_at"]).replace(tzinfo=None) == line.at
        assert row["date"] == line.at.date().isoformat()
        assert decimal_to_cents(row["amount"]) == line.amount
        assert decimal_to_cents(row["balance"]) == line.balance_after
        assert row["description"] == line.memo
        assert row["currency"] == "USD"
    summary = document.summary
    assert total_of(rows) == summary.closing_balance - summary.opening_balance
    assert rows[0]["amount"] == "100.01" and rows[1]["amount"] == "-20.50"


def test_csv_cells_never_start_a_spreadsheet_formula(bank: Bank, clock: FixedClock) -> None:
    document = _statement(bank, clock)
    for line in statement_csv(document).splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "@")), line


def test_the_pdf_shows_holder_masked_number_period_and_totals(
    bank: Bank, clock: FixedClock
) -> None:
    document = _statement(bank, clock)
    reader = PdfReader(io.BytesIO(statement_pdf(document)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    summary = document.summary
    assert "Bankapp Demo Bank" in text
    assert "Zoë O'Brien" in text
    assert summary.account_number[-4:] in text and summary.account_number not in text
    assert "1 Oct 2026 to 31 Oct 2026" in text
    assert "$1,234.56" in text  # opening
    assert "$800.36" in text  # money in: 8 deposits of 100.01..100.08
    assert "$164.00" in text  # money out: 8 x 20.50
    assert "$1,870.92" in text  # closing
    assert "Café" in text


def test_an_empty_statement_is_still_a_document(bank: Bank, clock: FixedClock) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 500)
    document = bank.statements.generate(
        alice, account, StatementPeriod.parse("2026-01-01", "2026-01-31")
    )
    text = PdfReader(io.BytesIO(statement_pdf(document))).pages[0].extract_text()
    assert "No transactions in this period." in text
    assert read_statement_csv(statement_csv(document)) == []


def test_a_reprinted_statement_gives_the_same_pdf_bytes(bank: Bank, clock: FixedClock) -> None:
    document = _statement(bank, clock)
    clock.advance(timedelta(days=3))
    alice = bank.auth.login("alice", PASSWORD).actor
    again = bank.statements.reprint(alice, document.statement_id)
    assert statement_pdf(again) == statement_pdf(document)
    assert statement_csv(again) == statement_csv(document)


def test_exports_go_to_the_chosen_folder_or_data_exports(
    bank: Bank, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _statement(bank, clock)
    chosen = export_statement(document, "pdf", tmp_path / "mine")
    assert chosen.parent == tmp_path / "mine" and chosen.read_bytes().startswith(b"%PDF")
    monkeypatch.chdir(tmp_path)
    default = export_statement(document, "csv")
    assert default.parent == DEFAULT_EXPORT_DIR
    assert default.name.endswith(f"-n{document.statement_id}.csv")
    assert [p.name for p in (tmp_path / DEFAULT_EXPORT_DIR).iterdir()] == [default.name]
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValidationFailed):
        export_statement(document, "csv", tmp_path / "afile")


def test_a_statement_chosen_by_preset_reprints_to_the_same_bytes(
    bank: Bank, clock: FixedClock
) -> None:
    alice = make_customer(bank, "alice")
    account = funded_account(bank, alice, 4_200)
    document = bank.statements.generate(alice, account, bank.statements.period("this-month"))
    again = bank.statements.reprint(alice, document.statement_id)
    assert again == document
    assert statement_pdf(again) == statement_pdf(document)
