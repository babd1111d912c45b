"""When a standing order falls due: weekly on a weekday (Monday is 0), or monthly on a day of
the month where a day the month lacks (the 29th to 31st) means its last day."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

WEEKLY, MONTHLY = "weekly", "monthly"


def month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def first_due(frequency: str, day: int, start: date) -> date:
    """The first due date on or after `start`."""
    if frequency == WEEKLY:
        return start + timedelta(days=(day - start.weekday()) % 7)
    candidate = month_day(start.year, start.month, day)
    if candidate >= start:
        return candidate
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return month_day(year, month, day)


def next_due(frequency: str, day: int, after: date) -> date:
    """The first due date strictly after `after`."""
    return first_due(frequency, day, after + timedelta(days=1))


def check_day(frequency: str, day: int) -> str | None:
    """Why `day` is not a day for `frequency`, or None."""
    if frequency == WEEKLY and not 0 <= day <= 6:
        return "A weekly order runs on a weekday: Monday (0) to Sunday (6)."
    if frequency == MONTHLY and not 1 <= day <= 31:
        return "A monthly order runs on a day of the month from 1 to 31 (31: the last day)."
    if frequency not in (WEEKLY, MONTHLY):
        return "An order runs weekly or monthly."
    return None
