"""Pasted text without control sequences, whole and in order, in every field of the app.

Two places, one rule (`bankapp.domain.validation.without_controls`): the app cleans every
`Paste` event and its own clipboard before a widget sees them (`BankApp`), and the terminal
drivers read input with `CleanPasteParser`. That one is needed because Textual's parser ends
a bracketed paste at its first ESC and types what follows as keys, ahead of the paste itself:
`Alice<ESC>[2J<BEL> Martin` became `^[2J MartinAlice`. The parser here cleans the paste while
it is still between its brackets, so Textual sees plain text and delivers it as one paste.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from textual._xterm_parser import XTermParser
from textual.message import Message

from bankapp.domain.validation import without_controls

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"

# The Textual drivers that read terminal input through an XTermParser of their module.
DRIVER_MODULES = (
    "textual.drivers.linux_driver",
    "textual.drivers.linux_inline_driver",
    "textual.drivers.web_driver",
)


class PasteCleaner:
    """Passes terminal input through as it comes, except what lies between a bracketed
    paste's start and end markers: that is held until the end marker, then cleaned. Nothing
    outside a paste is held back (a lone ESC must reach the parser at once to be the Escape
    key), so a start marker split across two reads is recognised from what went before."""

    def __init__(self) -> None:
        self.pending = ""  # the paste so far, while pasting
        self.seen = ""  # the last characters passed through, while not pasting
        self.pasting = False

    def feed(self, data: str) -> str:
        out: list[str] = []
        while data:
            if self.pasting:
                text = self.pending + data
                found = text.find(PASTE_END)
                if found < 0:
                    self.pending = text
                    break
                out += [without_controls(text[:found]), PASTE_END]
                data, self.pending, self.seen = text[found + len(PASTE_END) :], "", ""
                self.pasting = False
                continue
            text = self.seen + data
            found = text.find(PASTE_START)
            if found < 0:
                out.append(data)
                self.seen = text[-(len(PASTE_START) - 1) :]
                break
            cut = found + len(PASTE_START) - len(self.seen)  # the marker's end, in `data`
            out.append(data[:cut])
            data, self.seen = data[cut:], ""
            self.pasting = True
        return "".join(out)


class CleanPasteParser(XTermParser):
    """Textual's terminal parser, fed through a `PasteCleaner`."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self.cleaner = PasteCleaner()

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # the end of input: an unfinished paste goes through as it is
            held, self.cleaner = self.cleaner.pending, PasteCleaner()
            return [*super().feed(held), *super().feed(data)] if held else super().feed(data)
        return super().feed(self.cleaner.feed(data))


def install_clean_paste_parser() -> type[CleanPasteParser]:
    """Make Textual's terminal drivers read input with `CleanPasteParser` (each driver makes
    its parser when its input thread starts)."""
    for name in DRIVER_MODULES:
        module = importlib.import_module(name)
        if not hasattr(module, "XTermParser"):
            raise RuntimeError(f"{name} no longer reads input with XTermParser")
        module.XTermParser = CleanPasteParser  # type: ignore[attr-defined]
    return CleanPasteParser
