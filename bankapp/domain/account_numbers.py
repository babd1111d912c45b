"""Account numbers: 10 random digits plus two ISO 7064 MOD 97-10 check digits."""

from __future__ import annotations

import secrets

BODY_DIGITS = 10


def check_digits(body: str) -> str:
    """The two check digits that make `body + check` satisfy `int(...) % 97 == 1`."""
    return f"{98 - (int(body) * 100) % 97:02d}"


def new_account_number() -> str:
    body = str(secrets.randbelow(9 * 10 ** (BODY_DIGITS - 1)) + 10 ** (BODY_DIGITS - 1))
    return body + check_digits(body)


def is_valid_account_number(number: str) -> bool:
    digits = normalise_account_number(number)
    return len(digits) == BODY_DIGITS + 2 and digits.isdigit() and int(digits) % 97 == 1


def normalise_account_number(text: str) -> str:
    """Drop the spaces and dashes people type between digit groups."""
    return "".join(ch for ch in text if ch not in " -").strip()


def format_account_number(number: str) -> str:
    """`123456789012` → `"1234 5678 9012"`."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def mask_account_number(number: str) -> str:
    return f"•••• {number[-4:]}"
