"""Snapshots of the theme picker and the 16-colour ANSI theme."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from tests.ui.helpers import Do, Keys, SignIn, Snap, snap, steps


def test_switching_to_the_ansi_theme(snap_compare: Snap, demo_bank: Bank) -> None:
    """F9 opens the theme picker; the 16-colour ANSI theme keeps every label readable."""

    def theme_is_ansi_dark(pilot: Pilot[Any]) -> None:
        assert pilot.app.theme == "ansi-dark"

    script = steps(
        SignIn("alice"), "f9", Keys(*"ansi-dark", "enter"), Do(theme_is_ansi_dark, settle=False)
    )
    assert snap(snap_compare, demo_bank, script)
