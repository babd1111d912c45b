"""Account numbers carry ISO 7064 MOD 97-10 check digits and are random, not sequential."""

from __future__ import annotations

import itertools

from bankapp.domain.account_numbers import (
    check_digits,
    format_account_number,
    is_valid_account_number,
    mask_account_number,
    new_account_number,
)


def test_generated_numbers_satisfy_mod_97_and_are_not_sequential() -> None:
    numbers = [new_account_number() for _ in range(200)]
    assert all(is_valid_account_number(n) for n in numbers)
    assert all(len(n) == 12 for n in numbers)
    assert len(set(numbers)) == 200
    as_ints = sorted(int(n[:10]) for n in numbers)
    assert any(b - a > 1 for a, b in itertools.pairwise(as_ints))


def test_a_single_changed_digit_or_swap_is_detected() -> None:
    number = "1234567890" + check_digits("1234567890")
    assert is_valid_account_number(number)
    for i in range(12):
        wrong = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        assert not is_valid_account_number(wrong)
    swapped = number[1] + number[0] + number[2:]
    assert not is_valid_account_number(swapped)


def test_the_iban_reference_value_checks_out() -> None:
    # GB82 WEST 1234 5698 7654 32 rearranged with letters as numbers (REFERENCES.md).
    rearranged = "WEST12345698765432GB82"
    digits = "".join(str(int(c, 36)) for c in rearranged)
    assert int(digits) % 97 == 1


def test_numbers_are_shown_grouped_or_masked() -> None:
    assert format_account_number("123456789012") == "1234 5678 9012"
    assert mask_account_number("123456789012") == "•••• 9012"
    assert is_valid_account_number(format_account_number(new_account_number()))
