"""Table cells built from data: always plain text, never Rich markup."""

from __future__ import annotations

from rich.text import Text


def cell(value: object, *, right: bool = False) -> Text:
    """A table cell as plain text (never Rich markup, whatever a person typed)."""
    return Text("" if value is None else str(value), justify="right" if right else "left")


def cut(text: str, cells: int) -> Text:
    """`text` as a plain-text cell cut to `cells` terminal cells, ending in "…" when it was
    longer (the row's detail view shows it whole)."""
    shown = Text(text, no_wrap=True)
    shown.truncate(cells, overflow="ellipsis")
    return shown
