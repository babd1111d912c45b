"""The installation settings a bank can change: each one's name, unit, bounds and meaning, how
a typed value is read and shown, and the rules that tie two settings together. What the
values are lives in the database (`bank_settings`); the defaults are `bankapp.settings`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING

from bankapp.domain.money import format_cents, parse_amount
from bankapp.domain.passwords import HashParameters
from bankapp.domain.validation import clean_text
from bankapp.errors import BankError, ValidationFailed

if TYPE_CHECKING:
    from bankapp.settings import Settings

Raw = int | str  # what `bank_settings.value` holds (as JSON): cents, a count, a text


class Unit(StrEnum):
    MONEY = "money"
    COUNT = "count"
    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    RATE = "rate"  # basis points a year, typed and shown as a percentage
    KIB = "KiB"
    TEXT = "text"


_DURATIONS = {
    Unit.SECONDS: timedelta(seconds=1),
    Unit.MINUTES: timedelta(minutes=1),
    Unit.HOURS: timedelta(hours=1),
    Unit.DAYS: timedelta(days=1),
}


@dataclass(frozen=True)
class SettingSpec:
    name: str  # as typed on the command line and stored in `bank_settings.name`
    field: str  # the `Settings` attribute (`hash_parameters.x`, `interest_rates_bp.kind`)
    label: str
    unit: Unit
    minimum: int
    maximum: int
    help: str
    changeable: bool = True


def _money(name: str, label: str, help: str, *, minimum: int = 1) -> SettingSpec:
    return SettingSpec(name, f"{name}_cents", label, Unit.MONEY, minimum, 10_000_000_000, help)


CATALOGUE: tuple[SettingSpec, ...] = (
    SettingSpec("bank_name", "bank_name", "Bank name", Unit.TEXT, 1, 60, "Shown on every screen"),
    SettingSpec(
        "currency",
        "currency",
        "Currency",
        Unit.TEXT,
        3,
        3,
        "It is fixed when the bank is created: every balance is in it",
        changeable=False,
    ),
    _money("max_amount", "Largest single operation", "Any one deposit, payment or transfer"),
    _money(
        "approval_threshold",
        "Approval threshold per customer and day",
        "Staff cash and transfers beyond it wait for a supervisor",
    ),
    _money("transfer_out_daily_limit", "Daily transfers to others", "Per customer"),
    _money("atm_daily_limit", "Daily ATM cash", "Per customer"),
    _money("check_deposit_daily_limit", "Daily check deposits", "Per customer"),
    SettingSpec(
        "clearing_delay",
        "clearing_delay",
        "Check clearing delay",
        Unit.DAYS,
        0,
        14,
        "Days a deposited check is held before it is available",
    ),
    SettingSpec(
        "authorisation_lifetime",
        "authorisation_lifetime",
        "Card authorisation lifetime",
        Unit.DAYS,
        1,
        31,
        "An authorisation not settled by then is released",
    ),
    _money("credit_limit_min", "Smallest credit limit", "For a new credit card"),
    _money("credit_limit_max", "Largest credit limit", "For a new credit card"),
    _money(
        "teller_credit_approval_max",
        "Teller's credit approval limit",
        "A teller may approve credit up to it; above it, a supervisor",
    ),
    _money(
        "drawer_opening_cash_max",
        "Drawer opening cash maximum",
        "More needs a supervisor",
    ),
    _money(
        "drawer_tolerance",
        "Drawer count tolerance",
        "A close counted off by more needs a supervisor",
        minimum=0,
    ),
    SettingSpec(
        "interest_rate_savings",
        "interest_rates_bp.savings",
        "Savings interest rate",
        Unit.RATE,
        0,
        2_000,
        "A year, accrued daily (actual/365), posted at month end",
    ),
    SettingSpec(
        "interest_rate_checking",
        "interest_rates_bp.checking",
        "Checking interest rate",
        Unit.RATE,
        0,
        2_000,
        "A year, accrued daily (actual/365), posted at month end",
    ),
    SettingSpec(
        "interest_rate_business",
        "interest_rates_bp.business",
        "Business interest rate",
        Unit.RATE,
        0,
        2_000,
        "A year, accrued daily (actual/365), posted at month end",
    ),
    SettingSpec(
        "standing_order_retry_days",
        "standing_order_retry_days",
        "Standing order retries",
        Unit.COUNT,
        0,
        10,
        "Business days a payment short of funds is tried again",
    ),
    SettingSpec(
        "session_idle_timeout",
        "session_idle_timeout",
        "Idle timeout",
        Unit.MINUTES,
        1,
        60,
        "A session untouched this long is locked",
    ),
    SettingSpec(
        "session_max_age",
        "session_max_age",
        "Longest session",
        Unit.HOURS,
        1,
        24,
        "A session ends this long after sign-in",
    ),
    SettingSpec(
        "throttle_after",
        "throttle_after",
        "Failed sign-ins before slowing down",
        Unit.COUNT,
        1,
        20,
        "Then each attempt waits, doubling",
    ),
    SettingSpec(
        "throttle_base",
        "throttle_base",
        "First sign-in wait",
        Unit.SECONDS,
        1,
        60,
        "Doubled per further failure",
    ),
    SettingSpec(
        "lockout_after",
        "lockout_after",
        "Failed sign-ins before lockout",
        Unit.COUNT,
        2,
        100,
        "The user is then locked",
    ),
    SettingSpec(
        "lockout_period",
        "lockout_period",
        "Lockout period",
        Unit.MINUTES,
        1,
        1_440,
        "Or until a supervisor unlocks",
    ),
    SettingSpec(
        "password_min_length",
        "password_min_length",
        "Shortest password",
        Unit.COUNT,
        8,
        64,
        "NIST SP 800-63B: 15 without a second factor",
    ),
    SettingSpec(
        "password_max_length",
        "password_max_length",
        "Longest password",
        Unit.COUNT,
        64,
        1_024,
        "At least 64 (NIST SP 800-63B)",
    ),
    SettingSpec(
        "password_hash_memory",
        "hash_parameters.memory_kib",
        "Password hash memory",
        Unit.KIB,
        19 * 1024,
        1024 * 1024,
        "argon2id; OWASP's floor is 19,456 KiB",
    ),
    SettingSpec(
        "password_hash_time_cost",
        "hash_parameters.time_cost",
        "Password hash passes",
        Unit.COUNT,
        2,
        10,
        "argon2id; OWASP's floor is 2",
    ),
    SettingSpec(
        "password_hash_parallelism",
        "hash_parameters.parallelism",
        "Password hash lanes",
        Unit.COUNT,
        1,
        16,
        "argon2id",
    ),
)

BY_NAME: Mapping[str, SettingSpec] = {spec.name: spec for spec in CATALOGUE}


def spec_named(name: object) -> SettingSpec:
    if isinstance(name, str) and name.strip().lower().replace("-", "_") in BY_NAME:
        return BY_NAME[name.strip().lower().replace("-", "_")]
    raise ValidationFailed(
        f"There is no setting {str(name)[:40]!r}; `bankapp settings show` lists them.",
        field="name",
    )


def read_value(settings: Settings, spec: SettingSpec) -> Raw:
    """The setting's value in `settings`, as stored (cents, a count, a text)."""
    head, _, part = spec.field.partition(".")
    value: object = getattr(settings, head)
    if head == "interest_rates_bp":
        return dict(settings.interest_rates_bp).get(part, 0)
    if part:
        value = getattr(value, part)
    if isinstance(value, timedelta):
        return int(value / _DURATIONS[spec.unit])
    assert isinstance(value, int | str)
    return value


def with_values(settings: Settings, values: Mapping[str, Raw]) -> Settings:
    """`settings` with the stored `values` (by setting name) in place of its own; unknown
    names are ignored, so a database written by a newer release still opens."""
    changes: dict[str, object] = {}
    hashing: dict[str, int] = {}
    rates = dict(settings.interest_rates_bp)
    for name, raw in values.items():
        spec = BY_NAME.get(name)
        if spec is None or not spec.changeable:
            continue
        head, _, part = spec.field.partition(".")
        if head == "hash_parameters":
            hashing[part] = int(raw)
        elif head == "interest_rates_bp":
            rates[part] = int(raw)
        elif spec.unit in _DURATIONS:
            changes[head] = int(raw) * _DURATIONS[spec.unit]
        else:
            changes[head] = raw
    if hashing:
        changes["hash_parameters"] = replace(settings.hash_parameters, **hashing)
    changes["interest_rates_bp"] = tuple(sorted(rates.items()))
    return replace(settings, **changes)  # type: ignore[arg-type]


_RATE = re.compile(r"^\d{1,3}(\.\d{1,2})?$", re.ASCII)


def parse_value(spec: SettingSpec, text: object, *, currency: str) -> Raw:
    """What a person typed for `spec`, checked against its bounds, or ValidationFailed."""
    if not spec.changeable:
        raise ValidationFailed(f"{spec.label} cannot be changed. {spec.help}.")
    if not isinstance(text, str | int) or isinstance(text, bool):
        raise ValidationFailed(f"Enter a value for {spec.label}.", field="value")
    typed = str(text).strip()
    if spec.unit == Unit.TEXT:
        return clean_text(typed, field="value", label=spec.label, max_length=spec.maximum)
    if spec.unit == Unit.MONEY:
        if typed in ("0", "0.00") and spec.minimum == 0:
            value = 0
        else:
            try:
                value = parse_amount(typed, max_cents=spec.maximum, currency=currency)
            except BankError as error:
                raise ValidationFailed(error.message, field="value") from None
    elif spec.unit == Unit.RATE:
        cleaned = typed.removesuffix("%").strip()
        if not _RATE.match(cleaned):
            raise ValidationFailed(
                f"{spec.label} is a percentage a year with at most 2 decimals, like 2.5.",
                field="value",
            )
        try:
            value = int(Decimal(cleaned) * 100)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise ValidationFailed(f"{typed[:20]!r} is not a percentage.", field="value") from None
    else:
        cleaned = typed.replace(",", "") if spec.unit == Unit.KIB else typed
        if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 9:
            raise ValidationFailed(
                f"{spec.label} is a whole number of {_unit_words(spec)}.", field="value"
            )
        value = int(cleaned)
    if not spec.minimum <= value <= spec.maximum:
        raise ValidationFailed(
            f"{spec.label} must be from {show_value(spec, spec.minimum, currency=currency)} "
            f"to {show_value(spec, spec.maximum, currency=currency)}.",
            field="value",
        )
    return value


def show_value(spec: SettingSpec, raw: Raw, *, currency: str) -> str:
    if spec.unit == Unit.TEXT:
        return str(raw)
    value = int(raw)
    if spec.unit == Unit.MONEY:
        return format_cents(value, currency)
    if spec.unit == Unit.RATE:
        return f"{Decimal(value) / 100:.2f}%"
    if spec.unit == Unit.KIB:
        return f"{value:,} KiB"
    if spec.unit == Unit.COUNT:
        return f"{value:,}"
    word = _unit_words(spec)
    return f"{value:,} {word[:-1] if value == 1 else word}"


def _unit_words(spec: SettingSpec) -> str:
    return {Unit.COUNT: "units", Unit.KIB: "KiB"}.get(spec.unit, spec.unit.value)


def conflicts(settings: Settings) -> list[str]:
    """The rules between settings that `settings` breaks (empty: it holds together)."""
    problems = []
    if settings.password_min_length > settings.password_max_length:
        problems.append("The shortest password would be longer than the longest.")
    if settings.credit_limit_min_cents > settings.credit_limit_max_cents:
        problems.append("The smallest credit limit would be above the largest.")
    if settings.teller_credit_approval_max_cents > settings.credit_limit_max_cents:
        problems.append("The teller's credit approval limit would be above the largest limit.")
    if settings.session_idle_timeout > settings.session_max_age:
        problems.append("The idle timeout would be longer than the longest session.")
    if settings.throttle_after >= settings.lockout_after:
        problems.append("Sign-ins would lock before they slow down (lockout ≤ slow-down).")
    try:
        HashParameters(
            settings.hash_parameters.memory_kib,
            settings.hash_parameters.time_cost,
            settings.hash_parameters.parallelism,
        )
    except ValueError as error:
        problems.append(str(error))
    return problems
