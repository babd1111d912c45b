"""Card numbers: Luhn check, number generation, masking, expiry and the derived CVV (pure rules)."""

from __future__ import annotations

import random
from datetime import datetime

from bankapp.domain.keyed_hashes import keyed_hash

PAN_LENGTH = 16
VALID_YEARS = 3
MASK = "•••• •••• •••• "
# Issuer identification numbers (the first six digits) of this simulated bank, per card kind.
BINS = {"debit": "423950", "credit": "532814"}
# Purposes for keyed hashes of card data; the installation key is never used unseparated.
PAN_HASH_PURPOSE = "card-number"
CVV_PURPOSE = "card-verification-value"


def luhn_check_digit(body: str) -> str:
    """The digit that, appended to `body`, makes the whole number pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # doubled: these become the odd positions once the check is added
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True if `number` (digits only) satisfies the Luhn mod-10 check (ISO/IEC 7812)."""
    if len(number) < 2 or not number.isdigit():
        return False
    return luhn_check_digit(number[:-1]) == number[-1]


def new_pan(kind: str, rng: random.Random) -> str:
    """A fresh 16-digit card number: the kind's BIN, random digits, a Luhn check digit."""
    prefix = BINS[kind]
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(PAN_LENGTH - len(prefix) - 1))
    return body + luhn_check_digit(body)


def normalise_pan(text: str) -> str:
    """Drop the spaces and dashes people type between digit groups."""
    return "".join(ch for ch in text if ch not in " -")


def format_pan(pan: str) -> str:
    """`"4239501234567890"` → `"4239 5012 3456 7890"` (for the one-time reveal only)."""
    return " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))


def mask_pan(last4: str) -> str:
    """How a card is shown everywhere after issue: `•••• •••• •••• 1234`."""
    return MASK + last4


def expiry_for(issued: datetime) -> tuple[int, int]:
    """(year, month) of a card issued at `issued`: valid to the end of that month in 3 years."""
    return issued.year + VALID_YEARS, issued.month


def is_expired(year: int, month: int, now: datetime) -> bool:
    """A card is valid through the last day of its expiry month."""
    return (now.year, now.month) > (year, month)


def format_expiry(year: int, month: int) -> str:
    return f"{month:02d}/{year % 100:02d}"


def parse_expiry(text: str) -> tuple[int, int] | None:
    """`"11/29"` or `"11/2029"` → (2029, 11); None if it is not a month/year."""
    parts = text.strip().replace(" ", "").split("/")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    month, year = int(parts[0]), int(parts[1])
    if len(parts[1]) == 2:
        year += 2000
    if not 1 <= month <= 12 or not 2000 <= year <= 2099:
        return None
    return year, month


def pan_hash(key: bytes, pan: str) -> str:
    """The keyed hash (HMAC-SHA256) stored to recognise a presented card number."""
    return keyed_hash(key, PAN_HASH_PURPOSE, pan)


def derive_cvv(key: bytes, pan: str, year: int, month: int) -> str:
    """The card's 3-digit CVV, computed from number and expiry with the installation key
    (as an issuer does with its CVV key), so it never needs to be stored."""
    digest = keyed_hash(key, CVV_PURPOSE, f"{pan}|{year:04d}-{month:02d}")
    return f"{int(digest, 16) % 1000:03d}"
