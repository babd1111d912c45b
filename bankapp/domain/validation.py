"""Checks for text people type: length, control characters, bidirectional overrides."""

from __future__ import annotations

import re
import unicodedata

from bankapp.errors import ValidationFailed

# Bidirectional embedding/override/isolate marks can make text display differently from what
# it contains ("Trojan Source"), so names and memos refuse them.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$", re.ASCII)


def clean_text(
    value: str,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Trim `value` and refuse control characters, bidi overrides and over-long text."""
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
        if unicodedata.category(ch) in ("Cc", "Cs", "Co") and not (multiline and ch == "\n"):
            raise ValidationFailed(f"{label} contains a control character.", field=field)
    return text


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
    phone = clean_text(value, field="phone", label="Phone", max_length=20, required=required)
    if phone and not _PHONE.match(phone):
        raise ValidationFailed(
            "Enter a phone number with digits, spaces, dashes or a leading +.", field="phone"
        )
    return phone
