"""Property: for any history and any period, closing = opening + money in - money out, and the
closing balance is the balance the ledger had at the end of the period."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind
from bankapp.errors import DrawerState, InsufficientFunds
from bankapp.services.statements import StatementPeriod
from tests.fixtures import cash_in, cash_out, make_customer

START = datetime(2026, 1, 1)
operations = st.lists(
    st.tuples(st.integers(0, 72 * 3600), st.integers(-50_000, 50_000).filter(bool)),
    max_size=25,
)
days = st.integers(-20, 200)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations, first=days, length=st.integers(0, 120))
def test_closing_is_opening_plus_in_minus_out_for_any_history_and_period(
    bank: Bank, clock: FixedClock, ops: list[tuple[int, int]], first: int, length: int
) -> None:
    customers = getattr(bank, "_property_customers", [])
    if not customers or len(bank.accounts.list_accounts(customers[-1])) >= 15:
        customers.append(make_customer(bank, f"prop{len(customers)}"))
        bank._property_customers = customers  # type: ignore[attr-defined]
    actor = customers[-1]
    clock.set(START)
    account = bank.accounts.open(actor, AccountKind.SAVINGS).id
    expected: list[tuple[datetime, int]] = []
    for gap, amount in ops:
        clock.advance(timedelta(seconds=gap))
        try:
            if amount > 0:  # cash at the counter: posted and available at once
                cash_in(bank, account, amount)
            else:
                cash_out(bank, account, -amount)
        except (InsufficientFunds, DrawerState):
            # Refused (the account cannot pay, or the counter's drawer has not taken in that
            # much cash yet): nothing moved.
            continue
        expected.append((clock.now(), amount))
    period = StatementPeriod(
        date(2026, 1, 1) + timedelta(days=first), date(2026, 1, 1) + timedelta(days=first + length)
    )
    summary = bank.statements.summary(actor, account, period)
    assert summary.closing_balance == (
        summary.opening_balance + summary.total_in - summary.total_out
    )
    inside = [a for at, a in expected if period.start <= at < period.end]
    assert summary.opening_balance == sum(a for at, a in expected if at < period.start)
    assert summary.total_in == sum(a for a in inside if a > 0)
    assert summary.total_out == -sum(a for a in inside if a < 0)
    assert summary.line_count == len(inside)
    assert summary.closing_balance == sum(a for at, a in expected if at < period.end)
