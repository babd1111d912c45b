"""When an operation needs a second person: the maker-checker threshold, decided here once."""

from __future__ import annotations

from bankapp.domain.types import Caller
from bankapp.errors import ApprovalRequired
from bankapp.services.context import ServiceContext


def needs_approval(ctx: ServiceContext, actor: Caller, amount: int) -> bool:
    """Staff money operations above the threshold wait for a supervisor's approval."""
    return actor.is_staff and amount > ctx.settings.approval_threshold_cents


def require_no_approval(ctx: ServiceContext, actor: Caller, amount: int) -> None:
    """Refuse, with ApprovalRequired, an operation that must go through `approvals.submit`."""
    if needs_approval(ctx, actor, amount):
        raise ApprovalRequired(
            f"Over {ctx.money(ctx.settings.approval_threshold_cents)}: this needs a "
            "supervisor's approval.",
            field="amount",
        )
