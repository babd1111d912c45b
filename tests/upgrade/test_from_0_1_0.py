"""A database made by release 0.1.0 (`tests/data/bank-0.1.0.db`, a `bankapp demo` with its
installation key) upgrades to this version's schema with `bankapp init` and keeps working:
the ledger verifies, customers and staff sign in, money moves, statements print.

The file is never regenerated: it is what 0.1.0 wrote. Every schema change is a new Alembic
revision that must carry this database forward.
"""

from __future__ import annotations

import contextlib
import random
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyotp
import pytest

from bankapp.bank import Bank, open_bank
from bankapp.cli.main import main
from bankapp.demo.logins import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from bankapp.domain.card_numbers import derive_cvv, new_pan
from bankapp.domain.card_types import CardKind
from bankapp.domain.statement_types import StatementPeriod
from bankapp.domain.types import AccountKind, HistoryLine
from bankapp.services.auth.second_factor import unix_step
from bankapp.services.drawers import OPENING_CASH_ENTRY
from bankapp.services.history import HistoryFilter
from bankapp.storage import installation_key
from bankapp.storage.engine import make_engine
from bankapp.storage.schema import current_revision, head_revision
from tests.conftest import BACKENDS, TEST_SETTINGS, pg_database
from tests.upgrade.release_on_postgres import load_release

DATA = Path(__file__).parent.parent / "data"
RELEASE_DB = DATA / "bank-0.1.0.db"
RELEASE_KEY = DATA / "bank-0.1.0.key"


@pytest.fixture(params=BACKENDS)
def release_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A private copy of the 0.1.0 database, with its key in force for this test: the file
    itself on SQLite; on PostgreSQL, its rows loaded into a database at revision 0001."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            db = tmp_path / "bank.db"
            shutil.copyfile(RELEASE_DB, db)
            url = f"sqlite:///{db}"
        else:
            url = stack.enter_context(pg_database())
            engine = make_engine(url)
            try:
                load_release(RELEASE_DB, engine)
            finally:
                engine.dispose()
        yield from _with_release_key(url, tmp_path, monkeypatch)


def _with_release_key(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    key = tmp_path / "bankapp.key"
    shutil.copyfile(RELEASE_KEY, key)
    key.chmod(0o600)
    monkeypatch.setenv(installation_key.ENV_KEY_FILE, str(key))
    monkeypatch.delenv(installation_key.ENV_KEY, raising=False)
    monkeypatch.setenv("BANKAPP_HOME", str(tmp_path / "home"))  # init backs up there first
    installation_key.forget_cached_keys()
    yield url
    installation_key.forget_cached_keys()


def test_the_release_database_is_at_the_first_revision() -> None:
    """The stored file really is a 0.1.0 database (so the upgrade below has work to do
    whenever a later revision exists)."""
    engine = make_engine(f"sqlite:///{RELEASE_DB}")
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == "0001"
    finally:
        engine.dispose()


def test_init_upgrades_the_release_database_and_verify_passes(
    release_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", release_url, "init"]) == 0
    assert main(["--db", release_url, "verify"]) == 0
    assert "OK" in capsys.readouterr().out
    bank = open_bank(release_url, settings=TEST_SETTINGS)
    try:
        assert bank.db.read(lambda tx: current_revision(tx.conn)) == head_revision()
    finally:
        bank.close()


def _upgraded(url: str) -> Bank:
    assert main(["--db", url, "init"]) == 0
    return open_bank(url, settings=TEST_SETTINGS)


def test_after_the_upgrade_a_customer_signs_in_moves_money_and_prints_a_statement(
    release_url: str,
) -> None:
    bank = _upgraded(release_url)
    try:
        alice = bank.auth.login("alice", DEMO_PASSWORD).actor
        bob = bank.auth.login("bob", DEMO_PASSWORD).actor
        checking = next(
            a for a in bank.accounts.list_accounts(alice) if a.kind == AccountKind.CHECKING
        )
        target = bank.accounts.list_accounts(bob)[0]
        before = bank.accounts.get(bob, target.id).balance
        bank.payments.transfer(alice, checking.id, target.number, 1_234, memo="after upgrade")
        assert bank.accounts.get(bob, target.id).balance == before + 1_234
        today = bank.clock.now().date()
        period = StatementPeriod(date(today.year - 1, today.month, 1), today)
        document = bank.statements.generate(alice, checking.id, period)
        assert any(line.memo == "after upgrade" for line in document.lines)
        assert document.summary.closing_balance == bank.accounts.get(alice, checking.id).balance
        assert bank.verify().ok
    finally:
        bank.close()


def test_after_the_upgrade_staff_second_factors_and_cards_still_match_the_key(
    release_url: str,
) -> None:
    """TOTP secrets and card hashes were made with the release's key; both still work. The
    demo drew its card numbers from a source seeded with `seed * 7919 + 11` (seed 2026),
    so alice's debit card number (her first card) can be drawn again here."""
    bank = _upgraded(release_url)
    try:
        pending = bank.auth.login("teller", DEMO_PASSWORD)
        assert pending.second_factor_required
        code = pyotp.TOTP(DEMO_TOTP_SECRETS["teller"]).generate_otp(unix_step(bank.clock.now()))
        assert bank.auth.complete_second_factor(pending.actor, code).actor.username == "teller"
        alice = bank.auth.login("alice", DEMO_PASSWORD).actor
        pan = new_pan(CardKind.DEBIT, random.Random(2026 * 7919 + 11))
        debit = next(c for c in bank.cards.list_cards(alice) if c.kind == CardKind.DEBIT)
        assert debit.last4 == pan[-4:]
        key = installation_key.installation_key(release_url)
        cvv = derive_cvv(key, pan, debit.expiry_year, debit.expiry_month)
        bank.cards.purchase(
            alice, pan=pan, expiry=debit.expiry, cvv=cvv, merchant="Upgrade Cafe", amount=150
        )
        assert bank.verify().ok
    finally:
        bank.close()


def test_after_the_upgrade_the_drawers_the_release_opened_show_their_opening_cash(
    release_url: str,
) -> None:
    """0.1.0 kept a drawer's opening cash in `cash_drawers.opening_float` and posted it as an
    entry of the stored kind `OPENING_CASH_ENTRY` with the memo "Float into drawer N"; the
    code reads all three as they are (the column under the key `opening_cash`)."""
    bank = _upgraded(release_url)
    try:
        pending = bank.auth.login("teller", DEMO_PASSWORD)
        code = pyotp.TOTP(DEMO_TOTP_SECRETS["teller"]).generate_otp(unix_step(bank.clock.now()))
        teller = bank.auth.complete_second_factor(pending.actor, code).actor
        drawer = bank.drawers.current(teller)
        assert drawer is not None and drawer.opening_cash == 150_000
        report = bank.reports.end_of_day(teller, drawer.opened_at.date())
        assert [line.opening_cash for line in report.drawers] == [200_000, 150_000]
        kinds = {total.kind: total.count for total in report.kinds}
        assert kinds[OPENING_CASH_ENTRY] == 2
        assert bank.verify().ok
    finally:
        bank.close()


def test_after_the_upgrade_history_filters_find_what_the_release_wrote(release_url: str) -> None:
    """Revision 0007 indexes the postings 0.1.0 wrote (kind, amount, memo trigrams): each
    filter's page is what filtering alice's whole history finds."""
    bank = _upgraded(release_url)
    try:
        alice = bank.auth.login("alice", DEMO_PASSWORD).actor
        for account in bank.accounts.list_accounts(alice):
            lines = bank.history.page(alice, account.id, limit=500).lines
            assert lines and len(lines) < 500
            middle = sorted(abs(line.amount) for line in lines)[len(lines) // 2]
            words = {word for line in lines for word in line.memo.split() if len(word) >= 3}
            every = [
                *(HistoryFilter(kind=kind) for kind in {line.kind for line in lines}),
                *(HistoryFilter(memo_contains=word.upper()) for word in words),
                HistoryFilter(min_amount=middle),
            ]
            for filters in every:
                page = bank.history.page(alice, account.id, filters=filters, limit=500)
                assert page.lines == tuple(x for x in lines if _kept(x, filters)), filters
    finally:
        bank.close()


def _kept(line: HistoryLine, filters: HistoryFilter) -> bool:
    memo = (filters.memo_contains or "").lower()
    return (
        (filters.kind is None or line.kind == filters.kind)
        and memo in line.memo.lower()
        and abs(line.amount) >= (filters.min_amount or 0)
    )
