"""Fuzzing the two doors everything passes through: the amount parser and sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.domain.money import (
    DEFAULT_MAX_CENTS,
    cents_to_decimal_string,
    format_cents,
    parse_amount,
)
from bankapp.errors import AuthenticationFailed, InvalidAmount
from tests.fixtures import FROZEN_NOW, PASSWORD, TEST_SETTINGS, make_customer

# Every code point, lone surrogates included: a UI can hand the services any Python string.
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=60),
    st.text(st.sampled_from("\ud800\udfff\x00\x1b\u202e\u0301[]/'\"%_é9 aZ\n"), max_size=40),
)
AMOUNTISH = st.text(st.sampled_from("0123456789.,-+ $€£eE_xX'١٢３\t\u00a0"), max_size=24)


@given(st.one_of(ANY_TEXT, AMOUNTISH))
@settings(max_examples=600, deadline=None)
def test_parse_amount_returns_positive_cents_or_raises_invalid_amount(text: str) -> None:
    try:
        cents = parse_amount(text)
    except InvalidAmount as exc:
        assert exc.message and exc.field == "amount"
        return
    assert type(cents) is int and 0 < cents <= DEFAULT_MAX_CENTS


@given(st.integers(min_value=1, max_value=DEFAULT_MAX_CENTS), st.sampled_from(["USD", "EUR"]))
@settings(max_examples=300, deadline=None)
def test_formatted_amounts_parse_back_to_the_same_cents(cents: int, currency: str) -> None:
    assert parse_amount(format_cents(cents, currency), currency=currency) == cents
    assert parse_amount(cents_to_decimal_string(cents)) == cents


@given(st.integers(min_value=DEFAULT_MAX_CENTS + 1, max_value=10**30))
@settings(max_examples=100, deadline=None)
def test_amounts_over_the_limit_are_refused(cents: int) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(cents_to_decimal_string(cents))


@pytest.fixture(scope="module")
def login_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "bank.db"
    bank = open_bank(
        f"sqlite:///{path}", create=True, clock=FixedClock(FROZEN_NOW), settings=TEST_SETTINGS
    )
    make_customer(bank, "ivy")
    yield bank
    bank.close()


@given(
    username=st.one_of(st.just("ivy"), ANY_TEXT), password=st.one_of(st.just(PASSWORD), ANY_TEXT)
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_login_with_any_text_answers_only_with_sign_in_errors(
    login_bank: Bank, username: str, password: str
) -> None:
    try:
        result = login_bank.auth.login(username, password)
    except AuthenticationFailed as exc:
        assert exc.message and len(exc.message) < 200
        return
    assert username.strip().lower() == "ivy" and password == PASSWORD
    assert result.actor.username == "ivy"
