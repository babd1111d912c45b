"""Card numbers: Luhn, generation, masking, expiry and the CVV derived from the key."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from bankapp.domain.card_numbers import (
    BINS,
    derive_cvv,
    expiry_for,
    format_pan,
    is_expired,
    luhn_check_digit,
    luhn_valid,
    mask_pan,
    new_pan,
    parse_expiry,
)
from bankapp.domain.card_types import CardKind


@pytest.mark.parametrize(
    "number", ["4111111111111111", "5555555555554444", "79927398713", "378282246310005"]
)
def test_well_known_numbers_pass_the_luhn_check(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize(
    "number", ["4111111111111112", "79927398710", "1234567812345678", "", "7", "4111-1111"]
)
def test_altered_or_malformed_numbers_fail_the_luhn_check(number: str) -> None:
    assert not luhn_valid(number)


def test_the_check_digit_completes_a_known_number() -> None:
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit("411111111111111") == "1"


def test_any_single_digit_change_breaks_the_check() -> None:
    pan = new_pan(CardKind.DEBIT, random.Random(1))
    for i in range(len(pan)):
        for d in "0123456789":
            if d != pan[i]:
                assert not luhn_valid(pan[:i] + d + pan[i + 1 :])


@pytest.mark.parametrize("kind", list(CardKind))
def test_generated_numbers_are_16_digits_with_the_bin_and_valid(kind: CardKind) -> None:
    rng = random.Random(42)
    numbers = {new_pan(kind, rng) for _ in range(500)}
    assert len(numbers) == 500
    for pan in numbers:
        assert len(pan) == 16 and pan.isdigit() and luhn_valid(pan)
        assert pan.startswith(BINS[kind.value])


def test_a_seeded_source_gives_the_same_numbers() -> None:
    assert new_pan(CardKind.CREDIT, random.Random(7)) == new_pan(CardKind.CREDIT, random.Random(7))


def test_masking_shows_only_the_last_four_digits() -> None:
    assert mask_pan("1234") == "•••• •••• •••• 1234"
    assert format_pan("4239501234567890") == "4239 5012 3456 7890"


def test_a_card_is_valid_to_the_end_of_its_expiry_month_three_years_on() -> None:
    year, month = expiry_for(datetime(2026, 11, 20, 10, 30))
    assert (year, month) == (2029, 11)
    assert not is_expired(year, month, datetime(2029, 11, 30, 23, 59, 59))
    assert is_expired(year, month, datetime(2029, 12, 1, 0, 0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/29", (2029, 11)),
        ("01/2030", (2030, 1)),
        (" 3/27 ", (2027, 3)),
        ("13/29", None),
        ("1129", None),
        ("ab/cd", None),
        ("00/29", None),
    ],
)
def test_expiry_dates_are_read_as_month_and_year(
    text: str, expected: tuple[int, int] | None
) -> None:
    assert parse_expiry(text) == expected


def test_the_cvv_is_three_digits_that_depend_on_key_number_and_expiry() -> None:
    key = b"k" * 32
    pan = new_pan(CardKind.DEBIT, random.Random(3))
    cvv = derive_cvv(key, pan, 2029, 11)
    assert len(cvv) == 3 and cvv.isdigit()
    assert derive_cvv(key, pan, 2029, 11) == cvv
    others = {derive_cvv(bytes([i]) * 32, pan, 2029, 11) for i in range(40)}
    assert len(others) > 20  # a different key gives an unrelated CVV
