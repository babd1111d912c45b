"""Checks for text people type: length, control characters, bidirectional overrides."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

from bankapp.domain.card_numbers import luhn_valid
from bankapp.errors import ValidationFailed

# Bidirectional embedding/override/isolate marks can make text display differently from what
# it contains ("Trojan Source"), so names and memos refuse them.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$", re.ASCII)
# Digits, each maybe followed by one space or dash: how people write a card number.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d)*", re.ASCII)
# Terminal escape sequences (ECMA-48), each removed whole: OSC, DCS, SOS, PM and APC strings
# up to their terminator; CSI with its parameters up to the final byte (7- and 8-bit forms);
# any other escape with its intermediate bytes and final byte.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -/]*[0-~]"
)


def is_control(ch: str) -> bool:
    """A C0 or C1 control character, DEL, a lone surrogate or a private-use character."""
    return unicodedata.category(ch) in ("Cc", "Cs", "Co")


def without_controls(text: str) -> str:
    """`text` as it should reach a field when pasted: escape sequences and other control
    characters removed, tabs made spaces, line breaks kept as `\n`, everything else in order."""
    text = _ESCAPE_SEQUENCE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or not is_control(ch))


def contains_card_number(text: str) -> bool:
    """True if `text` holds what looks like a payment card number: 13 to 19 digits, maybe
    grouped by single spaces or dashes, that pass the Luhn check (PCI DSS: a card number must
    never be stored readable, and a memo is stored and exported as typed)."""
    for run in _DIGIT_RUN.finditer(text):
        digits = run.group(0).replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False


def clean_text(
    value: str,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
    card_numbers: bool = False,
) -> str:
    """Trim `value` and refuse control characters, bidi overrides, over-long text and (unless
    `card_numbers`) anything that looks like a card number."""
    if len(value) > max_length * 4:
        raise ValidationFailed(
            f"{label} is too long (at most {max_length} characters).", field=field
        )
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise ValidationFailed(f"{label} is required.", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            f"{label} is too long (at most {max_length} characters).", field=field
        )
    for ch in text:
        if ch in _BIDI_CONTROLS:
            raise ValidationFailed(
                f"{label} contains an invisible direction-control character.", field=field
            )
        if is_control(ch) and not (multiline and ch == "\n"):
            raise ValidationFailed(
                f"{label} contains a control character (such as a tab or a terminal escape "
                "code); type it again without it.",
                field=field,
            )
    if not card_numbers and contains_card_number(text):
        raise ValidationFailed(
            f"{label} looks like it contains a card number; card numbers are never written "
            "down here. Leave it out.",
            field=field,
        )
    return text


# The last day a period may end on: every period ends at midnight after its last day.
LAST_DAY = date(9998, 12, 31)


def check_day(value: object, *, field: str) -> date:
    """A calendar day a caller gave (a filter, a statement period, a report): a real date
    no later than `LAST_DAY`, so the day after it always exists."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationFailed("Give a date as YYYY-MM-DD.", field=field)
    if value > LAST_DAY:
        raise ValidationFailed(
            f"{value.isoformat()} is too far in the future; give a date up to "
            f"{LAST_DAY.isoformat()}.",
            field=field,
        )
    return value


def check_moment(value: object, *, field: str) -> datetime:
    """A moment a caller gave (when a hold ends), as the bank keeps time: naive UTC. A time
    with a zone is converted; anything but a datetime is refused."""
    if not isinstance(value, datetime):
        raise ValidationFailed("Give a date and time.", field=field)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if value.date() > LAST_DAY:
        raise ValidationFailed(
            f"{value:%Y-%m-%d} is too far in the future; give a date up to {LAST_DAY.isoformat()}.",
            field=field,
        )
    return value


def clean_username(value: str) -> str:
    name = value.strip().lower()
    if not _USERNAME.match(name):
        raise ValidationFailed(
            "Usernames are 3-32 characters: letters a-z, digits, dot, dash or underscore, "
            "starting with a letter or digit.",
            field="username",
        )
    return name


def clean_email(value: str) -> str:
    email = clean_text(value, field="email", label="Email", max_length=254)
    if not _EMAIL.match(email):
        raise ValidationFailed("Enter an email address like name@example.com.", field="email")
    return email


def clean_phone(value: str, *, required: bool = False) -> str:
    phone = clean_text(
        value, field="phone", label="Phone", max_length=20, required=required, card_numbers=True
    )
    if phone and not _PHONE.match(phone):
        raise ValidationFailed(
            "Enter a phone number with digits, spaces, dashes or a leading +.", field="phone"
        )
    return phone
