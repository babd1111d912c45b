"""Money at the edges: parse what a person typed into integer cents, format cents for display."""

from __future__ import annotations

import re

from bankapp.errors import InvalidAmount

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}

# Digits with optional thousands separators, then at most two decimals. ASCII digits only:
# full-width or other Unicode digits are refused rather than silently converted.
_AMOUNT = re.compile(r"^(?P<whole>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?$", re.ASCII)

DEFAULT_MAX_CENTS = 1_000_000_000  # 10,000,000.00 per operation


def parse_amount(text: str, *, max_cents: int = DEFAULT_MAX_CENTS, currency: str = "USD") -> int:
    """Parse `"1,234.50"` (optionally with a currency symbol) to cents, or raise InvalidAmount."""
    cleaned = text.strip()
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    if symbol and cleaned.startswith(symbol):
        cleaned = cleaned[len(symbol) :].lstrip()
    if cleaned.upper().startswith(currency):
        cleaned = cleaned[len(currency) :].lstrip()
    if not cleaned:
        raise InvalidAmount("Enter an amount, for example 25.00.", field="amount")
    if any(ch.isspace() for ch in cleaned):
        # "12 5" could be 125 or 12.5 and "1 000" a typo: a space inside is never guessed at.
        raise InvalidAmount(
            f"{_shown(text)} is not an amount: no spaces inside an amount; write a thousand "
            "as 1,000 or 1000.",
            field="amount",
        )
    if cleaned.startswith("-"):
        raise InvalidAmount("The amount must be positive.", field="amount")
    if len(cleaned) > 32:
        raise InvalidAmount("That amount is too large.", field="amount")
    match = _AMOUNT.match(cleaned)
    if match is None or (match["whole"] is None and not match["frac"]):
        raise InvalidAmount(
            f"{_shown(text)} is not an amount; use digits 0-9 and one decimal point, "
            "for example 1,234.50.",
            field="amount",
        )
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise InvalidAmount("Amounts have at most 2 decimal places.", field="amount")
    whole = int((match["whole"] or "0").replace(",", ""))
    cents = whole * 100 + int(frac.ljust(2, "0"))
    if cents == 0:
        raise InvalidAmount("The amount must be more than zero.", field="amount")
    if cents > max_cents:
        raise InvalidAmount(
            f"The amount is over the limit of {format_cents(max_cents, currency)} per operation.",
            field="amount",
        )
    return cents


def check_cents(
    amount: object,
    *,
    max_cents: int = DEFAULT_MAX_CENTS,
    currency: str = "USD",
    field: str = "amount",
    allow_zero: bool = False,
) -> int:
    """The one rule for an amount a caller hands a service: whole cents, above zero (or zero
    where `allow_zero`: a drawer's opening cash or a count), at most `max_cents`. Raises
    InvalidAmount."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount("The amount must be a whole number of cents.", field=field)
    if amount <= 0 and not allow_zero:
        raise InvalidAmount("The amount must be more than zero.", field=field)
    if amount < 0:
        raise InvalidAmount("The amount cannot be negative.", field=field)
    if amount > max_cents:
        raise InvalidAmount(
            f"The amount is over the limit of {format_cents(max_cents, currency)} per operation.",
            field=field,
        )
    return amount


def format_cents(cents: int, currency: str = "USD", *, plus: bool = False) -> str:
    """`123456` → `"$1,234.56"`; negative amounts carry a minus sign, never only a colour."""
    sign = "-" if cents < 0 else ("+" if plus and cents > 0 else "")
    whole, frac = divmod(abs(cents), 100)
    symbol = CURRENCY_SYMBOLS.get(currency)
    body = f"{whole:,}.{frac:02d}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"


def cents_to_decimal_string(cents: int) -> str:
    """`-12345` → `"-123.45"`: the plain form used in exports."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def _shown(text: str) -> str:
    short = text if len(text) <= 20 else text[:20] + "…"
    return repr(short)
