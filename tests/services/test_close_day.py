"""Close of business (issue 18): standing orders, savings interest, clearing and settlement as
one resumable, audited batch; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.interest import UNITS_PER_CENT
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import PermissionDenied, ValidationFailed
from bankapp.services.standing_orders import NewStandingOrder
from bankapp.storage.models import (
    Account,
    AuditEvent,
    InterestAccrual,
    JournalEntry,
    StandingOrderRun,
)
from tests.fixtures import funded_account, make_customer, make_staff, session_for

_accounts = Account
_entries = JournalEntry
_runs = StandingOrderRun
_accruals = InterestAccrual
_events = AuditEvent

SAVINGS = 10_000_000  # $100,000.00 at 2.50%: 684.93... cents a day


def at(clock: FixedClock, day: date) -> None:
    clock.set(datetime.combine(day, datetime.min.time()) + timedelta(hours=18))


def balance(bank: Bank, account_id: int) -> int:
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(
                select(_accounts.c.balance).where(_accounts.c.id == account_id)
            ).scalar_one()
        )
    )


def count(bank: Bank, table: object, *where: object) -> int:
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(
                select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
            ).scalar_one()
        )
    )


@pytest.fixture
def branch(bank: Bank) -> dict[str, object]:
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    savings = funded_account(bank, alice, SAVINGS, AccountKind.SAVINGS)
    checking = funded_account(bank, alice, 500_00)
    bobs = bank.accounts.open(bob, AccountKind.CHECKING)
    rent = bank.standing_orders.create(
        alice,
        NewStandingOrder(
            from_account_id=checking,
            to_account_number=bobs.number,
            name="Rent",
            amount=100_00,
            frequency="monthly",
            day=25,
            start_date=date(2026, 11, 21),
        ),
    )
    sam = make_staff(bank, "sam", Role.ADMIN)
    return {
        "alice": alice,
        "savings": savings,
        "checking": checking,
        "bobs": bobs.id,
        "rent": rent,
        "sam": sam,
    }


def test_a_month_closes_with_orders_paid_and_interest_posted_exactly(
    bank: Bank, clock: FixedClock, branch: dict[str, object]
) -> None:
    sam = branch["sam"]
    first = bank.close_of_business.close_day(sam, date(2026, 11, 20))  # type: ignore[arg-type]
    assert [d.business_date for d in first] == [date(2026, 11, 20)]
    assert first[0].seal_line.startswith("bankapp-seal:2026-11-20:")
    at(clock, date(2026, 11, 30))
    sam = session_for(bank, sam)  # type: ignore[arg-type]
    closed = bank.close_of_business.close_day(sam)  # catches up 21st..30th, in order
    assert [d.business_date for d in closed] == [
        date(2026, 11, 21) + timedelta(days=n) for n in range(10)
    ]
    on_25th = {s.name: s for s in closed[4].steps}
    assert on_25th["standing_orders"].items == 1 and on_25th["standing_orders"].total == 100_00
    assert balance(bank, branch["bobs"]) == 100_00  # type: ignore[arg-type]
    # 11 days (20th to 30th) at $100,000.00 and 2.50%: 11 × 2.5e9 units = 7,534.2466 cents.
    month_end = {s.name: s for s in closed[-1].steps}
    assert month_end["interest_posting"].items == 1
    assert month_end["interest_posting"].total == 7_534
    assert balance(bank, branch["savings"]) == SAVINGS + 7_534  # type: ignore[arg-type]
    carried = bank.db.read(lambda tx: tx.conn.execute(select(_accruals.c.accrued)).scalar_one())
    assert carried == 11 * SAVINGS * 250 - 7_534 * UNITS_PER_CENT
    memo = bank.db.read(
        lambda tx: tx.conn.execute(
            select(_entries.c.memo).where(_entries.c.kind == "interest")
        ).scalar_one()
    )
    assert memo == "Interest for 2026-11 at 2.50% a year"
    assert bank.verify().ok


def test_closing_a_date_again_posts_nothing_and_returns_its_report(
    bank: Bank, clock: FixedClock, branch: dict[str, object]
) -> None:
    at(clock, date(2026, 11, 30))
    sam = session_for(bank, branch["sam"])  # type: ignore[arg-type]
    bank.close_of_business.close_day(sam, date(2026, 11, 30))
    entries = count(bank, _entries)
    events = count(bank, _events)
    again = bank.close_of_business.close_day(sam, date(2026, 11, 30))
    assert again[0].already_closed and again[0].seal_line
    assert count(bank, _entries) == entries and count(bank, _events) == events
    with pytest.raises(ValidationFailed, match="future"):
        bank.close_of_business.close_day(sam, date(2026, 12, 1))


def test_only_a_supervisor_closes_a_day(bank: Bank, branch: dict[str, object]) -> None:
    teller = make_staff(bank, "tom", Role.TELLER)
    for actor in (teller, branch["alice"]):
        with pytest.raises(PermissionDenied):
            bank.close_of_business.close_day(actor, date(2026, 11, 20))  # type: ignore[arg-type]
    assert count(bank, _entries, _entries.c.kind == "interest") == 0


def test_an_order_short_of_funds_is_skipped_retried_then_missed(
    bank: Bank, clock: FixedClock, branch: dict[str, object]
) -> None:
    alice = branch["alice"]
    bank.payments.transfer(
        alice,  # type: ignore[arg-type]
        branch["checking"],  # type: ignore[arg-type]
        bank.accounts.get(alice, branch["savings"]).number,  # type: ignore[arg-type]
        450_00,
    )
    bank.close_of_business.close_day(branch["sam"], date(2026, 11, 20))  # type: ignore[arg-type]
    at(clock, date(2026, 11, 29))
    sam = session_for(bank, branch["sam"])  # type: ignore[arg-type]
    bank.close_of_business.close_day(sam, date(2026, 11, 29))
    runs = bank.db.read(
        lambda tx: tx.conn.execute(
            select(_runs.c.attempt_date, _runs.c.status).order_by(_runs.c.attempt_date)
        ).all()
    )
    # Due on the 25th; retried on the next 3 business days; missed on the 28th.
    assert [(r.attempt_date.day, r.status) for r in runs] == [
        (25, "skipped"),
        (26, "skipped"),
        (27, "skipped"),
        (28, "missed"),
    ]
    order = bank.standing_orders.list_orders(alice, branch["checking"])[0]  # type: ignore[arg-type]
    assert order.next_due == date(2026, 12, 25)
    assert "Not paid on 2026-11-28" in order.last_result and "funds" in order.last_result.lower()
    assert balance(bank, branch["bobs"]) == 0  # type: ignore[arg-type]
    assert bank.verify().ok


def test_a_paused_order_is_not_paid_and_a_cancelled_one_never_again(
    bank: Bank, clock: FixedClock, branch: dict[str, object]
) -> None:
    alice, rent = branch["alice"], branch["rent"]
    bank.standing_orders.pause(alice, rent.id)  # type: ignore[arg-type, attr-defined]
    bank.close_of_business.close_day(branch["sam"], date(2026, 11, 20))  # type: ignore[arg-type]
    at(clock, date(2026, 11, 26))
    sam = session_for(bank, branch["sam"])  # type: ignore[arg-type]
    bank.close_of_business.close_day(sam)
    assert balance(bank, branch["bobs"]) == 0  # type: ignore[arg-type]
    alice = session_for(bank, alice)  # type: ignore[arg-type]
    resumed = bank.standing_orders.resume(alice, rent.id)  # type: ignore[attr-defined]
    assert resumed.status == "active" and resumed.next_due == date(2026, 12, 25)
    cancelled = bank.standing_orders.cancel(alice, rent.id)  # type: ignore[attr-defined]
    assert cancelled.status == "cancelled"
    with pytest.raises(ValidationFailed):
        bank.standing_orders.resume(alice, rent.id)  # type: ignore[attr-defined]


def test_someone_elses_order_is_not_found(bank: Bank, branch: dict[str, object]) -> None:
    mallory = make_customer(bank, "mallory")
    for change in (bank.standing_orders.pause, bank.standing_orders.cancel):
        with pytest.raises(Exception, match="No such standing order"):
            change(mallory, branch["rent"].id)  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="No such"):
        bank.standing_orders.list_orders(mallory, branch["checking"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"day": 32}, "day"),
        ({"frequency": "daily"}, "frequency"),
        ({"start_date": date(2026, 11, 1)}, "start_date"),
        ({"name": "x" * 61}, "name"),
        ({"payments": 0}, "payments"),
    ],
)
def test_a_bad_order_is_refused_and_nothing_is_saved(
    bank: Bank, branch: dict[str, object], changes: dict[str, object], field: str
) -> None:
    form: dict[str, object] = {
        "from_account_id": branch["checking"],
        "to_account_number": "0" * 10,
        "name": "Gym",
        "amount": 10_00,
        "frequency": "weekly",
        "day": 1,
        "start_date": date(2026, 11, 23),
        **changes,
    }
    order = NewStandingOrder(**form)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as previewed:
        bank.standing_orders.preview(branch["alice"], order)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as created:
        bank.standing_orders.create(branch["alice"], order)  # type: ignore[arg-type]
    assert previewed.value.message == created.value.message  # one set of rules for both
    assert len(bank.standing_orders.list_orders(branch["alice"], branch["checking"])) == 1  # type: ignore[arg-type]


def test_the_preview_names_the_payee_as_the_customer_may_see_them(
    bank: Bank, branch: dict[str, object]
) -> None:
    alice, checking = branch["alice"], branch["checking"]
    sam = session_for(bank, branch["sam"])  # type: ignore[arg-type]
    bobs = bank.accounts.get(sam, branch["bobs"])  # type: ignore[arg-type]
    events = _count(bank, AuditEvent)
    order = NewStandingOrder(
        from_account_id=checking,  # type: ignore[arg-type]
        to_account_number=bobs.number,
        name="Gym",
        amount=10_00,
        frequency="monthly",
        day=31,
        start_date=date(2026, 11, 23),
    )
    preview = bank.standing_orders.preview(alice, order)  # type: ignore[arg-type]
    holder = bank.accounts.find_destination(alice, bobs.number)  # type: ignore[arg-type]
    assert preview.payee == holder and not holder.startswith(bobs.owner_name)
    assert preview.first_due == date(2026, 11, 30)  # the 31st means the month's last day
    assert _count(bank, AuditEvent) == events
    assert len(bank.standing_orders.list_orders(alice, checking)) == 1  # type: ignore[arg-type]
    rent = bank.standing_orders.list_orders(alice, checking)[0]  # type: ignore[arg-type]
    assert rent.payee_name == holder.rsplit(" ", 2)[0]  # a customer never sees the full name


def _count(bank: Bank, model: type) -> int:
    table = model
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(select(func.count()).select_from(table)).scalar_one()
        )
    )
