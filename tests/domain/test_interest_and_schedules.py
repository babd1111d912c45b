"""Interest arithmetic against hand-computed figures, its exactness as a property, and
standing-order schedules (month ends, February, leap years, weekdays)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bankapp.domain.interest import UNITS_PER_CENT, daily_accrual, rate_text, to_post
from bankapp.domain.schedules import check_day, first_due, month_day, next_due


def test_a_day_of_interest_in_exact_units() -> None:
    # $100,000.00 at 2.50%: 100,000 × 0.025 / 365 = $6.849315... a day.
    units = daily_accrual(10_000_000, 250)
    assert units == 2_500_000_000
    assert to_post(units) == (685, units - 685 * UNITS_PER_CENT)
    assert daily_accrual(-5_000, 250) == 0 and daily_accrual(0, 250) == 0


def test_a_month_of_thirty_one_days_by_hand() -> None:
    # $12,345.67 at 1.75% for 31 days = 12,345.67 × 0.0175 × 31 / 365 = $18.3489...
    units = 31 * daily_accrual(1_234_567, 175)
    assert to_post(units)[0] == 1_835


def test_a_leap_year_accrues_366_days_of_one_365th() -> None:
    # actual/365: $1,000.00 at 3.65% accrues exactly 10 cents a day, 36.60 in a leap year.
    units = sum(daily_accrual(100_000, 365) for _ in range(366))
    assert to_post(units) == (3_660, 0)


def test_rounding_is_half_to_even_and_the_remainder_is_carried() -> None:
    half = UNITS_PER_CENT // 2
    assert to_post(2 * UNITS_PER_CENT + half) == (2, half)
    assert to_post(3 * UNITS_PER_CENT + half) == (4, -half)
    assert to_post(3 * UNITS_PER_CENT + half - 1) == (3, half - 1)
    assert to_post(3 * UNITS_PER_CENT + half + 1) == (4, -half + 1)


def test_rates_read_as_percentages() -> None:
    assert rate_text(250) == "2.50%" and rate_text(5) == "0.05%" and rate_text(1_000) == "10.00%"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.integers(min_value=-10_000_00, max_value=10_000_000_00), min_size=28, max_size=31
        ),
        min_size=1,
        max_size=24,
    ),
    st.integers(min_value=0, max_value=2_000),
)
def test_interest_posted_over_months_equals_the_exact_accrual_within_a_cent(
    months: list[list[int]], rate: int
) -> None:
    """Whatever the daily balances, posting monthly with the remainder carried loses and
    creates nothing: posted + carried is the exact accrual, and posted is within one cent
    (half a cent, in fact) of it."""
    carried = posted = exact = 0
    for days in months:
        accrued = carried + sum(daily_accrual(balance, rate) for balance in days)
        exact += sum(daily_accrual(balance, rate) for balance in days)
        cents, carried = to_post(accrued)
        posted += cents
    assert posted * UNITS_PER_CENT + carried == exact
    assert abs(posted * UNITS_PER_CENT - exact) * 2 <= UNITS_PER_CENT


def test_the_31st_means_the_last_day_of_the_month() -> None:
    assert month_day(2026, 2, 31) == date(2026, 2, 28)
    assert month_day(2028, 2, 31) == date(2028, 2, 29)
    assert month_day(2026, 4, 31) == date(2026, 4, 30)
    assert next_due("monthly", 31, date(2026, 1, 31)) == date(2026, 2, 28)
    assert next_due("monthly", 31, date(2026, 2, 28)) == date(2026, 3, 31)
    assert next_due("monthly", 30, date(2028, 2, 29)) == date(2028, 3, 30)


def test_first_due_is_on_or_after_the_start() -> None:
    assert first_due("monthly", 15, date(2026, 11, 15)) == date(2026, 11, 15)
    assert first_due("monthly", 15, date(2026, 11, 16)) == date(2026, 12, 15)
    assert first_due("monthly", 1, date(2026, 12, 2)) == date(2027, 1, 1)
    # 2026-11-20 is a Friday (4); the next Monday (0) is the 23rd.
    assert first_due("weekly", 0, date(2026, 11, 20)) == date(2026, 11, 23)
    assert first_due("weekly", 4, date(2026, 11, 20)) == date(2026, 11, 20)
    assert next_due("weekly", 4, date(2026, 11, 20)) == date(2026, 11, 27)


def test_days_outside_the_schedule_are_refused() -> None:
    assert check_day("weekly", 7) and check_day("monthly", 0) and check_day("monthly", 32)
    assert check_day("daily", 1)
    assert check_day("weekly", 6) is None and check_day("monthly", 31) is None
