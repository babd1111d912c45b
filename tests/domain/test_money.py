"""Amounts typed by people become integer cents, or a clear InvalidAmount."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankapp.domain.money import cents_to_decimal_string, format_cents, parse_amount
from bankapp.errors import InvalidAmount


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1", 100),
        ("0.01", 1),
        ("12.5", 1250),
        ("1,234.50", 123_450),
        ("$1,234.50", 123_450),
        ("  42.00 ", 4_200),
        (".5", 50),
        ("1000000", 100_000_000),
        ("USD 3", 300),
        ("1,000", 100_000),
        ("1000", 100_000),
        ("1,000.50", 100_050),
        (" 12.50 ", 1_250),
        ("$ 12.50", 1_250),
    ],
)
def test_valid_amounts_parse_to_cents(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("-5", "positive"),
        ("-0", "positive"),
        ("1.001", "at most 2 decimal"),
        ("0.001", "at most 2 decimal"),
        ("abc", "not an amount"),
        ("1e9", "not an amount"),
        ("NaN", "not an amount"),
        ("１００", "not an amount"),
        ("1,23", "not an amount"),
        ("1.2.3", "not an amount"),
        ("12 5", "no spaces inside"),
        ("1 000", "no spaces inside"),
        ("1 000.50", "no spaces inside"),
        ("12.5 0", "no spaces inside"),
        ("1\t000", "no spaces inside"),
        ("1\u00a0000", "no spaces inside"),
        ("999999999999999999999", "over the limit"),
        ("10000000.01", "over the limit"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(text: str, words: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        parse_amount(text)
    assert words in caught.value.message
    assert caught.value.field == "amount"


def test_formatting_carries_sign_and_separators() -> None:
    assert format_cents(123_456) == "$1,234.56"
    assert format_cents(-2_000) == "-$20.00"
    assert format_cents(5, plus=True) == "+$0.05"
    assert format_cents(100, "CHF") == "1.00 CHF"
    assert cents_to_decimal_string(-12_345) == "-123.45"


@given(st.integers(min_value=1, max_value=1_000_000_000))
def test_formatted_amounts_parse_back_to_the_same_cents(cents: int) -> None:
    assert parse_amount(format_cents(cents)) == cents
    assert parse_amount(cents_to_decimal_string(cents)) == cents


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_invalid_amount(text: str) -> None:
    try:
        cents = parse_amount(text)
    except InvalidAmount as exc:
        assert exc.message
    else:
        assert isinstance(cents, int) and 0 < cents <= 1_000_000_000
