"""Statement lines as CSV: a header, stable columns, ISO 8601 UTC times, decimal-string amounts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from bankapp.domain.money import cents_to_decimal_string
from bankapp.services.statements import StatementDocument

COLUMNS = (
    "date",
    "booked_at",
    "posting_id",
    "entry_id",
    "kind",
    "description",
    "counterparty",
    "amount",
    "balance",
    "currency",
)
# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection"); such
# text gets a leading apostrophe, and text that already starts with one gets another.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def protect(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def unprotect(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def statement_csv(document: StatementDocument) -> str:
    """The statement's lines, oldest first; the balance column is the running balance."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    currency = document.summary.currency
    for line in document.lines:
        writer.writerow(
            (
                line.at.date().isoformat(),
                line.at.isoformat(timespec="seconds") + "Z",
                line.posting_id,
                line.entry_id,
                line.kind,
                protect(line.memo),
                protect(line.counterparty),
                cents_to_decimal_string(line.amount),
                cents_to_decimal_string(line.balance_after),
                currency,
            )
        )
    return out.getvalue()


def read_statement_csv(text: str) -> list[dict[str, str]]:
    """Parse a statement CSV back into rows of strings (text columns unprotected)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"unexpected columns: {reader.fieldnames}")
    rows = []
    for row in reader:
        row["description"] = unprotect(row["description"])
        row["counterparty"] = unprotect(row["counterparty"])
        rows.append(row)
    return rows


def decimal_to_cents(text: str) -> int:
    """`"-123.45"` → `-12345`; for reading exports back (never through a float)."""
    value = Decimal(text) * 100
    if value != value.to_integral_value():
        raise ValueError(f"more than two decimals: {text!r}")
    return int(value)


def total_of(rows: Iterable[dict[str, str]]) -> int:
    return sum(decimal_to_cents(row["amount"]) for row in rows)
