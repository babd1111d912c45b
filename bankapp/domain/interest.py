"""Savings interest, exactly: simple daily accrual on actual/365, kept in integer units of
1/(10,000 × 365) of a cent, so a day's accrual on a balance in cents at a rate in basis
points is an integer and no fraction is ever lost or created. A posting rounds half-to-even
to whole cents and carries the remainder (positive or negative) to the next month."""

from __future__ import annotations

BASIS_POINTS = 10_000
DAYS_IN_YEAR = 365  # actual/365: a leap year's 366th day accrues 1/365 too
UNITS_PER_CENT = BASIS_POINTS * DAYS_IN_YEAR


def daily_accrual(balance_cents: int, rate_bp: int) -> int:
    """A day's interest in accrual units; nothing on a balance at or below zero."""
    if rate_bp < 0:
        raise ValueError("an interest rate cannot be negative")
    return max(balance_cents, 0) * rate_bp


def to_post(accrued_units: int) -> tuple[int, int]:
    """(whole cents to post, units carried): the accrual rounded half-to-even."""
    cents, rest = divmod(accrued_units, UNITS_PER_CENT)
    if 2 * rest > UNITS_PER_CENT or (2 * rest == UNITS_PER_CENT and cents % 2 == 1):
        cents += 1
    return cents, accrued_units - cents * UNITS_PER_CENT


def rate_text(rate_bp: int) -> str:
    """2.50% for 250 basis points."""
    return f"{rate_bp // 100}.{rate_bp % 100:02d}%"
