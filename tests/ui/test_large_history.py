"""The account screen over 100,000+ postings fetches one page, never the whole history."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from bankapp.bank import Bank
from bankapp.services.bulk_postings import Credit, post_credits
from bankapp.services.ledger import system_key
from bankapp.storage.models import Account
from screens.account import PAGE_SIZE, AccountScreen
from screens.app import make_app
from screens.widgets.ledger_table import LedgerTable
from tests.conftest import PASSWORD, make_customer
from tests.fixtures import cash_in
from tests.ui.helpers import SIZE, pilot_test, play, settle, sign_in

ENTRIES = 100_000
CHUNK = 10_000


def bulk_deposits(bank: Bank, account_id: int, count: int) -> None:
    """`count` deposits of $1.00 from the counter's drawer through the bank's bulk posting
    path: every entry balanced and recorded by its audit event, every running balance right,
    so `bank.verify()` still passes."""
    accounts = Account

    def work(tx: Any) -> None:
        cash = tx.conn.execute(  # the counter's drawer, which took the first deposit
            select(accounts.c.id).where(accounts.c.internal_code.like("drawer:%"))
        ).scalar_one()
        for start in range(0, count, CHUNK):
            credits = [
                Credit(account_id, 100, f"Bulk {i}", system_key(f"bulk:{i}"), {})
                for i in range(start, min(start + CHUNK, count))
            ]
            post_credits(
                tx, source=cash, credits=credits, kind="deposit", audit_kind="money.deposit"
            )

    bank.db.write(work)


@pytest.mark.slow
@pilot_test
async def test_opening_an_account_with_100k_postings_fetches_one_page(
    empty_bank: Bank,
) -> None:
    actor = make_customer(empty_bank, "heavy")
    account = empty_bank.accounts.open(actor, "checking", "Busy")
    cash_in(empty_bank, account.id, 500)  # cash at the counter: the bank cash account exists
    bulk_deposits(empty_bank, account.id, ENTRIES)
    assert empty_bank.verify().ok

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        statements.append((statement, parameters))

    engine = empty_bank.db.engine
    app = make_app(empty_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "heavy", PASSWORD)
        event.listen(engine, "before_cursor_execute", record)
        try:
            app.push_screen(AccountScreen(account.id))
            await settle(pilot)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        table = app.screen.query_one("#history", LedgerTable)
        assert table.row_count == PAGE_SIZE

        posting_reads = [
            (s, p)
            for s, p in statements
            if "FROM postings" in s and s.lstrip().upper().startswith("SELECT")
        ]
        page_reads = [(s, p) for s, p in posting_reads if "LIMIT" in s.upper()]
        assert len(page_reads) == 1, posting_reads
        assert PAGE_SIZE + 1 in tuple(page_reads[0][1])  # one page plus one to know "more"
        others = [s for s, _ in posting_reads if "LIMIT" not in s.upper()]
        assert all(" IN (" in s for s in others)  # only the shown entries' other legs
        assert len(posting_reads) <= 2

        await play(pilot, "ctrl+end")  # to the last loaded row: the next page loads, only it
        assert table.row_count == 2 * PAGE_SIZE
