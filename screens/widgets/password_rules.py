"""Live feedback on a candidate password: the rules it breaks, one per line."""

from __future__ import annotations

from rich.text import Text


def password_feedback(password: str, problems: list[str]) -> Text:
    """What to show under a new-password field, from the service's `password_problems`."""
    if not password:
        return Text("At least 15 characters; a phrase of several words works well.", style="dim")
    if not problems:
        return Text.assemble(("✓ ", "bold green"), "The password meets the rules.")
    lines = [Text.assemble(("✗ ", "bold red"), problem) for problem in problems]
    return Text("\n").join(lines)
