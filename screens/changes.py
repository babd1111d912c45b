"""Saying what changed when a screen reloads because the bank says something it shows
changed (`BankChanged`: another workstation, a batch): the lines of a notification."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bankapp.domain.card_types import CardView
from bankapp.domain.types import AccountView


def account_changes(
    before: Sequence[AccountView], after: Sequence[AccountView], money: Callable[[int], str]
) -> list[str]:
    """One line per account whose balance, available money or status changed, or that is
    new; nothing for an account that is as it was."""
    was = {account.id: account for account in before}
    lines = []
    for account in after:
        old = was.get(account.id)
        if old is None:
            lines.append(f"New account {account.name}")
        elif old.balance != account.balance:
            lines.append(
                f"{account.name}: balance {money(account.balance)} (was {money(old.balance)})"
            )
        elif old.available != account.available:
            lines.append(
                f"{account.name}: available {money(account.available)} (was {money(old.available)})"
            )
        elif old.status != account.status:
            lines.append(f"{account.name} is now {account.status.value}")
    return lines


def card_changes(before: Sequence[CardView], after: Sequence[CardView]) -> list[str]:
    """One line per card that is new or whose status changed (frozen, blocked, cancelled)."""
    was = {card.id: card for card in before}
    lines = []
    for card in after:
        old = was.get(card.id)
        if old is None:
            lines.append(f"New card {card.masked}")
        elif old.status != card.status:
            lines.append(f"Card {card.masked} is now {card.status.value}")
    return lines


def count_change(label: str, before: int, after: int) -> list[str]:
    return [] if before == after else [f"{label}: {after} (was {before})"]
