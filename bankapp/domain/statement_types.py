"""Statement values: the period (presets and custom days), summary, pages and documents."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountKind, HistoryLine
from bankapp.domain.validation import check_day
from bankapp.errors import ValidationFailed

MAX_PERIOD_DAYS = 366 * 10
SERIES_POINTS = 48


class StatementFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


class Preset(StrEnum):
    THIS_MONTH = "this-month"
    LAST_MONTH = "last-month"
    LAST_90_DAYS = "last-90-days"
    YEAR_TO_DATE = "year-to-date"
    CUSTOM = "custom"


PRESET_LABELS = {
    Preset.THIS_MONTH: "This month",
    Preset.LAST_MONTH: "Last month",
    Preset.LAST_90_DAYS: "Last 90 days",
    Preset.YEAR_TO_DATE: "Year to date",
    Preset.CUSTOM: "Custom",
}


@dataclass(frozen=True)
class StatementPeriod:
    """Whole days `first_day`..`last_day` inclusive, in UTC: [start, end) as instants, so a
    posting at exactly midnight after `last_day` belongs to the next period."""

    first_day: date
    last_day: date
    preset: Preset = field(default=Preset.CUSTOM, compare=False)  # how it was chosen

    def __post_init__(self) -> None:
        check_day(self.first_day, field="first_day")
        check_day(self.last_day, field="last_day")
        if self.last_day < self.first_day:
            raise ValidationFailed("The end date is before the start date.", field="last_day")
        if (self.last_day - self.first_day).days >= MAX_PERIOD_DAYS:
            raise ValidationFailed("A statement covers at most ten years.", field="first_day")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time())

    @property
    def label(self) -> str:
        return f"{_day(self.first_day)} to {_day(self.last_day)}"

    @classmethod
    def for_preset(cls, preset: Preset | str, today: date) -> StatementPeriod:
        """The period a preset names, as seen on `today` (UTC)."""
        preset = Preset(preset)
        if preset == Preset.THIS_MONTH:
            return cls(today.replace(day=1), today, preset)
        if preset == Preset.LAST_MONTH:
            last = today.replace(day=1) - timedelta(days=1)
            return cls(last.replace(day=1), last, preset)
        if preset == Preset.LAST_90_DAYS:
            return cls(today - timedelta(days=89), today, preset)
        if preset == Preset.YEAR_TO_DATE:
            return cls(today.replace(month=1, day=1), today, preset)
        raise ValidationFailed("Give the first and last day of a custom period.", field="preset")

    @classmethod
    def parse(cls, first: str, last: str) -> StatementPeriod:
        """A custom period from ISO dates (`2026-10-01`, `2026-10-31`), both days included."""
        return cls(_parse_day(first, "first_day"), _parse_day(last, "last_day"), Preset.CUSTOM)


def _day(value: date) -> str:
    return f"{value.day} {calendar.month_abbr[value.month]} {value.year}"


def _parse_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(
            f"{text.strip()[:20]!r} is not a date; use YYYY-MM-DD.", field=field
        ) from None


@dataclass(frozen=True)
class StatementSummary:
    account_id: int
    account_number: str
    account_name: str
    account_kind: AccountKind
    holder_name: str
    currency: str
    period: StatementPeriod
    opening_balance: int
    total_in: int
    total_out: int
    line_count: int
    closing_balance: int
    first_posting_id: int | None
    last_posting_id: int | None

    @property
    def masked_number(self) -> str:
        return mask_account_number(self.account_number)


@dataclass(frozen=True)
class StatementCursor:
    """Keyset position: the last line shown; the next page starts after it."""

    after_at: datetime
    after_posting_id: int


@dataclass(frozen=True)
class StatementPage:
    lines: tuple[HistoryLine, ...]  # oldest first; `balance_after` is the running balance
    next_cursor: StatementCursor | None


@dataclass(frozen=True)
class StatementView:
    """What the statement screen shows first: the summary and the first page of lines."""

    summary: StatementSummary
    page: StatementPage


@dataclass(frozen=True)
class StatementDocument:
    """A generated statement: everything a CSV or PDF export prints."""

    statement_id: int
    bank_name: str
    generated_at: datetime
    generated_by: str
    summary: StatementSummary
    lines: tuple[HistoryLine, ...]
    digest: str


@dataclass(frozen=True)
class StatementRecord:
    """One row of the statements register (what was produced, by whom, when)."""

    statement_id: int
    account_id: int
    generated_at: datetime
    period: StatementPeriod
    opening_balance: int
    closing_balance: int
    line_count: int
