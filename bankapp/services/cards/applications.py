"""Credit card applications: a request (`approvals`, kind `credit_card`) for the customer it
names; the limit bounds and who may decide which limit are here, once; an approved
application gives exactly one card (consumed by a conditional update)."""

from __future__ import annotations

from sqlalchemy import select, update

from bankapp.domain.types import Caller, Role
from bankapp.errors import ApprovalState, InvalidCreditLimit, NotFound, PermissionDenied
from bankapp.services.access import require_active_customer
from bankapp.services.approvals.items import CREDIT_CARD, load_item
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import PendingApproval

_items = PendingApproval
SHOWN_APPLICATIONS = 20


def check_credit_limit(ctx: ServiceContext, limit: object) -> int:
    """A credit limit within the installation's bounds, else a message giving them."""
    settings = ctx.settings
    low, high = settings.credit_limit_min_cents, settings.credit_limit_max_cents
    if limit is None or isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidCreditLimit("A credit card needs a credit limit.", field="credit_limit")
    if not low <= limit <= high:
        raise InvalidCreditLimit(
            f"The credit limit must be between {ctx.money(low)} and {ctx.money(high)}.",
            field="credit_limit",
        )
    return limit


def decided_limit(ctx: ServiceContext, checker: Caller, requested: int, chosen: int | None) -> int:
    """The limit a checker grants (default: the one asked for): within bounds, and above the
    teller's approval limit only by an admin."""
    decided = check_credit_limit(ctx, requested if chosen is None else chosen)
    teller_max = ctx.settings.teller_credit_approval_max_cents
    if checker.role == Role.TELLER and decided > teller_max:
        raise PermissionDenied(
            f"A credit limit over {ctx.money(teller_max)} needs a supervisor (admin)."
        )
    return decided


def pending_application(tx: Tx, owner_id: int) -> int | None:
    found = tx.conn.execute(
        select(_items.c.id).where(
            _items.c.kind == CREDIT_CARD,
            _items.c.target_user_id == owner_id,
            _items.c.status == "pending",
        )
    ).first()
    return None if found is None else int(found.id)


def applications_of(tx: Tx, owner_id: int) -> list[int]:
    return [
        int(i)
        for i in tx.conn.execute(
            select(_items.c.id)
            .where(_items.c.kind == CREDIT_CARD, _items.c.target_user_id == owner_id)
            .order_by(_items.c.id.desc())
            .limit(SHOWN_APPLICATIONS)
        ).scalars()
    ]


def consume_application(tx: Tx, caller: Caller, application_id: int) -> tuple[int, int]:
    """The customer and decided limit of an approved application not yet used, marking it
    used in the same statement (two calls at once issue one card)."""
    item = load_item(tx, application_id)
    if item.kind != CREDIT_CARD or (
        caller.role == Role.CUSTOMER and item.target_user_id != caller.user_id
    ):
        raise NotFound("No such credit card application.")
    if item.status != "approved":
        raise ApprovalState(f"This application is {item.status}; a card needs an approved one.")
    used = tx.conn.execute(
        update(_items)
        .where(_items.c.id == item.id, _items.c.consumed_at.is_(None))
        .values(consumed_at=tx.now)
    ).rowcount
    if not used:
        raise ApprovalState("The card for this application was already issued.")
    require_active_customer(tx, item.target_user_id)
    return int(item.target_user_id), int(item.decided_amount)
