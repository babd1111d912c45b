"""The settings catalogue: typed values read and shown in their units, stored values applied
over the defaults, and the rules between settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bankapp.domain.setting_catalogue import (
    BY_NAME,
    CATALOGUE,
    conflicts,
    parse_value,
    read_value,
    show_value,
    with_values,
)
from bankapp.errors import ValidationFailed
from bankapp.settings import Settings


@pytest.mark.parametrize(
    ("name", "typed", "stored", "shown"),
    [
        ("atm_daily_limit", "$1,500.50", 150_050, "$1,500.50"),
        ("drawer_tolerance", "0", 0, "$0.00"),
        ("clearing_delay", "1", 1, "1 day"),
        ("session_idle_timeout", " 15 ", 15, "15 minutes"),
        ("interest_rate_savings", "3.1%", 310, "3.10%"),
        ("interest_rate_savings", "0", 0, "0.00%"),
        ("password_hash_memory", "65,536", 65_536, "65,536 KiB"),
        ("bank_name", "  North Bank ", "North Bank", "North Bank"),
    ],
)
def test_a_typed_value_is_stored_in_its_unit_and_shown_back(
    name: str, typed: str, stored: object, shown: str
) -> None:
    spec = BY_NAME[name]
    assert parse_value(spec, typed, currency="USD") == stored
    assert show_value(spec, parse_value(spec, typed, currency="USD"), currency="USD") == shown


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("atm_daily_limit", "0"),  # only the tolerance may be zero
        ("clearing_delay", "1.5"),
        ("clearing_delay", "٣"),  # a non-ASCII digit
        ("interest_rate_savings", "1e2"),
        ("password_hash_time_cost", "1"),
        ("bank_name", ""),
        ("bank_name", "x" * 61),
    ],
)
def test_a_value_outside_its_unit_or_bounds_is_refused(name: str, typed: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_value(BY_NAME[name], typed, currency="USD")


def test_stored_values_replace_the_defaults_and_unknown_names_are_ignored() -> None:
    settings = with_values(
        Settings(),
        {
            "session_idle_timeout": 9,
            "interest_rate_business": 125,
            "password_hash_parallelism": 2,
            "from_a_newer_release": 1,
            "currency": "EUR",  # fixed: never taken from the table
        },
    )
    assert settings.session_idle_timeout == timedelta(minutes=9)
    assert settings.interest_rate_bp("business") == 125
    assert settings.interest_rate_bp("savings") == 250
    assert settings.hash_parameters.parallelism == 2
    assert settings.currency == "USD"


def test_every_setting_reads_back_what_was_stored() -> None:
    defaults = Settings()
    for spec in CATALOGUE:
        if spec.changeable and spec.unit != "text":
            value = spec.maximum if read_value(defaults, spec) != spec.maximum else spec.minimum
            assert read_value(with_values(defaults, {spec.name: value}), spec) == value, spec


def test_the_defaults_hold_together_and_a_broken_pair_is_named() -> None:
    assert conflicts(Settings()) == []
    broken = with_values(Settings(), {"throttle_after": 5, "password_min_length": 64})
    broken = with_values(broken, {"password_max_length": 64, "session_idle_timeout": 60})
    assert conflicts(broken) == ["Sign-ins would lock before they slow down (lockout ≤ slow-down)."]
