"""At rest and in logs a card is only its last four digits and a keyed hash: no full number,
no CVV in the database file, its write-ahead log, the audit trail or any log the test wrote."""

from __future__ import annotations

import io
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import MetaData, select

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.card_numbers import format_pan, pan_hash
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.types import Role
from bankapp.errors import CardDeclined, CardStatusConflict
from bankapp.storage import installation_key as keys
from bankapp.storage.models import MEMO_SEARCH_TABLE, metadata
from tests.fixtures import (
    PASSWORD,
    TEST_SETTINGS,
    buy,
    credit_card,
    funded_account,
    make_customer,
    make_staff,
    settle,
)

HEXDIGEST = re.compile(r"^[0-9a-f]{64}$")
MERCHANT = "Hardware Store"


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """Everything the bank and SQLAlchemy log (SQL statements with their parameters)."""
    path = tmp_path / "test.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    loggers = [logging.getLogger("bankapp"), logging.getLogger("sqlalchemy.engine")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield path
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
    handler.close()


def card_activity(bank: Bank) -> list[IssuedCard]:
    """Issue, use, decline, lose and replace cards; return every card issued."""
    ann = make_customer(bank, "ann")
    bob = make_customer(bank, "bob")
    teller = make_staff(bank, "tina", Role.TELLER)
    issued = [
        bank.cards.issue_debit(ann, funded_account(bank, ann, 500_000)),
        credit_card(bank, ann, 250_000),
        credit_card(bank, teller, 100_000, owner_id=bob.user_id),
    ]
    owners = [ann, ann, bob]
    for card, owner in zip(issued, owners, strict=True):
        buy(bank, owner, card, 12_345, MERCHANT)
        with pytest.raises(CardDeclined):
            buy(bank, owner, card, 1_000, MERCHANT, cvv=f"{(int(card.cvv) + 7) % 1000:03d}")
        with pytest.raises(CardDeclined):
            buy(bank, owner, card, 99_999_999, MERCHANT)
    settle(bank)  # the purchases post, with their card
    bank.cards.report_lost(ann, issued[0].card.id, stolen=True)
    issued.append(bank.cards.replace(ann, issued[0].card.id))
    buy(bank, ann, issued[-1], 4_321, MERCHANT)
    settle(bank)
    with pytest.raises(CardStatusConflict):
        bank.cards.cancel(ann, issued[1].card.id)
    return issued


def secrets_of(cards: list[IssuedCard]) -> list[bytes]:
    """Every spelling of the full numbers a careless program might have written."""
    found: list[bytes] = []
    for card in cards:
        found += [card.pan.encode(), format_pan(card.pan).encode(), card.pan.encode("utf-16-le")]
    return found


def test_no_full_card_number_is_in_the_database_file_or_its_wal(
    tmp_path: Path, sqlite_template: Path, clock: FixedClock, logs: Path
) -> None:
    path = tmp_path / "bank.db"
    shutil.copyfile(sqlite_template, path)
    bank = open_bank(f"sqlite:///{path}", clock=clock, settings=TEST_SETTINGS)
    try:
        cards = card_activity(bank)
        key = keys.installation_key(bank)
        # While open, recent pages are in the write-ahead log: scan it as well as the file.
        files = [p for p in tmp_path.glob("bank.db*") if p.is_file()]
        assert any(p.name == "bank.db-wal" and p.stat().st_size > 0 for p in files)
        scanned = {p.name: p.read_bytes() for p in files}
    finally:
        bank.close()
    scanned["bank.db (closed)"] = path.read_bytes()
    scanned["test.log"] = logs.read_bytes()
    assert b"pan_hash" in scanned["test.log"]  # the SQL log really captured card statements
    for name, data in scanned.items():
        for secret in secrets_of(cards):
            assert secret not in data, f"a full card number is in {name}"
    # What is there instead: the last four digits and a keyed hash, which the test can link to
    # the number only because it holds the key.
    everything = b"".join(scanned.values())
    for card in cards:
        assert pan_hash(key, card.pan).encode() in everything


def test_no_table_row_or_log_line_holds_a_card_number_or_cvv(bank: Bank, logs: Path) -> None:
    cards = card_activity(bank)
    pans = [c.pan for c in cards] + [format_pan(c.pan) for c in cards]
    cvv_pattern = re.compile(r"(?<![0-9])(" + "|".join(c.cvv for c in cards) + r")(?![0-9])")
    stored = MetaData()
    # The FTS5 memo table is contentless (nothing to read back); its shadow tables are read.
    stored.reflect(bind=bank.db.engine, only=lambda name, _: name != MEMO_SEARCH_TABLE)
    assert set(stored.tables) >= set(metadata.tables)
    columns = {c.name for c in stored.tables["cards"].columns}
    # The only CVV-related column counts wrong attempts; none can hold a number or a CVV.
    assert not any(
        ("cvv" in name and name != "cvv_failures") or name in ("pan", "number", "cvv")
        for name in columns
    )
    rows_seen = 0
    with bank.db.engine.connect() as conn:
        for table in stored.tables.values():
            for row in conn.execute(select(table)):
                rows_seen += 1
                for column, value in row._mapping.items():
                    if not isinstance(value, str):
                        continue
                    where = f"{table.name}.{column}"
                    assert not any(pan in value for pan in pans), f"card number in {where}"
                    if HEXDIGEST.match(value) or value.startswith("$argon2"):
                        continue  # digests: any digit run in them is chance, not a CVV
                    assert not cvv_pattern.search(value), f"a CVV in {where}: {value!r}"
    assert rows_seen > 40
    text = logs.read_text(encoding="utf-8")
    assert "INSERT INTO cards" in text
    assert not any(pan in text for pan in pans)
    for line in text.splitlines():
        # SQLAlchemy's "[cached since 0.478s ago]" timings are the only numbers it adds.
        assert not cvv_pattern.search(re.sub(r"\[[^\]]*\]", "", line)), line


def test_exports_and_statements_show_only_masked_cards(bank: Bank, tmp_path: Path) -> None:
    from datetime import date

    from bankapp.domain.statement_types import StatementPeriod
    from bankapp.exports.beancount import export_ledger
    from bankapp.exports.files import export_statement

    cards = card_activity(bank)
    ann = bank.auth.login("ann", PASSWORD).actor
    today = bank.clock.now().date()
    period = StatementPeriod(date(today.year, 1, 1), today)
    files = [export_ledger(bank.ctx, None, tmp_path / "exports").path]
    for card in cards[:2]:
        document = bank.statements.generate(ann, card.card.account_id, period)
        for fmt in ("csv", "pdf"):
            files.append(export_statement(document, fmt, tmp_path / "exports"))
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".pdf":  # page streams are compressed: read the text instead
            reader = PdfReader(io.BytesIO(data))
            data = "\n".join(page.extract_text() for page in reader.pages).encode()
        for secret in secrets_of(cards):
            assert secret not in data, f"a full card number is in {path.name}"
        # The card purchases are there, by merchant and masked number.
        assert MERCHANT.encode() in data, path.name
