"""Saying what changed when a screen reloads because the bank says something it shows
changed (`BankChanged`: another workstation, a batch): the lines of a notification."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bankapp.domain.card_types import CardView
from bankapp.domain.statement_types import StatementSummary
from bankapp.domain.types import AccountView
from bankapp.services.holds import HoldView
from bankapp.services.standing_orders import StandingOrderView


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


def hold_changes(
    before: Sequence[HoldView], after: Sequence[HoldView], money: Callable[[int], str]
) -> list[str]:
    """One line per hold placed, ended (released, cleared, returned) or gone from the list."""
    was = {hold.id: hold for hold in before}
    now = {hold.id for hold in after}
    lines = []
    for hold in after:
        old = was.get(hold.id)
        if old is None:
            lines.append(f"New hold #{hold.id}: {money(hold.amount)}")
        elif old.status != hold.status:
            lines.append(f"Hold #{hold.id} ({money(hold.amount)}) is now {hold.status}")
    lines.extend(
        f"Hold #{hold.id} ({money(hold.amount)}) has ended" for hold in before if hold.id not in now
    )
    return lines


def order_changes(
    before: Sequence[StandingOrderView], after: Sequence[StandingOrderView]
) -> list[str]:
    """One line per standing order that is new, changed status or ran (its last result)."""
    was = {order.id: order for order in before}
    lines = []
    for order in after:
        old = was.get(order.id)
        if old is None:
            lines.append(f"New standing order {order.name}")
        elif old.status != order.status:
            lines.append(f"Standing order {order.name} is now {order.status}")
        elif old.last_result != order.last_result:
            lines.append(f"Standing order {order.name}: {order.last_result}")
    return lines


def statement_changes(
    before: StatementSummary | None, after: StatementSummary, money: Callable[[int], str]
) -> list[str]:
    """What a new posting in the period did to the statement: nothing if it is as it was."""
    if before is None or (before.line_count, before.closing_balance) == (
        after.line_count,
        after.closing_balance,
    ):
        return []
    added = after.line_count - before.line_count
    lines = [f"{added} new transaction{'s' if added != 1 else ''} in this period"] if added else []
    if before.closing_balance != after.closing_balance:
        lines.append(
            f"Closing balance {money(after.closing_balance)} (was {money(before.closing_balance)})"
        )
    return lines
