"""Table cells built from data: always plain text, never Rich markup."""

from __future__ import annotations

from rich.text import Text


def cell(value: object, *, right: bool = False) -> Text:
    """A table cell as plain text (never Rich markup, whatever a person typed)."""
    return Text("" if value is None else str(value), justify="right" if right else "left")
