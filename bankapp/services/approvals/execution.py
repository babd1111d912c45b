"""Carrying out an approved request, once, in the transaction that marks it approved, through
the same code a direct request uses: `post_cash`/`post_transfer` (at the drawer the cash was
taken at), `close_account`, the drawer's `start_drawer`/`finish_drawer`, the access changes
of `auth.access_changes` and `setting_changes.change_setting`. Posted entries carry the key
`sys:approval:<id>`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from bankapp.domain.setting_catalogue import spec_named
from bankapp.domain.types import Caller
from bankapp.errors import DrawerState, PermissionDenied
from bankapp.services.access import load_account, load_account_by_number
from bankapp.services.accounts import close_account
from bankapp.services.approvals import items as kinds
from bankapp.services.auth import access_changes
from bankapp.services.context import ServiceContext
from bankapp.services.drawers import finish_drawer, start_drawer
from bankapp.services.ledger import system_key
from bankapp.services.payments import post_cash, post_transfer
from bankapp.services.setting_changes import change_setting
from bankapp.storage.database import Tx
from bankapp.storage.models import CashDrawer

_drawers = CashDrawer


@dataclass(frozen=True)
class Outcome:
    entry_id: int | None = None
    temporary_password: str = ""
    target_user_id: int | None = None


def execute(tx: Tx, ctx: ServiceContext, item: Any, maker: Caller, checker: Caller) -> Outcome:
    """Do what `item` asked for, as its maker (money) or as the approving checker (access)."""
    payload = json.loads(item.payload)
    if item.kind in kinds.MONEY_KINDS:
        return Outcome(entry_id=_money(tx, ctx, item, maker, payload))
    if item.kind == kinds.CLOSE_ACCOUNT:
        close_account(tx, ctx, maker, load_account(tx, item.account_id))
        return Outcome()
    if item.kind == kinds.DRAWER_OPENING_CASH:
        start_drawer(tx, ctx, maker, item.amount)
        return Outcome()
    if item.kind == kinds.DRAWER_CLOSE:
        finish_drawer(tx, ctx, maker, _drawer(tx, item.drawer_id), item.amount)
        return Outcome()
    if item.kind == kinds.CREDIT_CARD:
        return Outcome()  # the decided limit is recorded; the holder issues the card
    if item.kind == kinds.SETTING_CHANGE:
        spec = spec_named(payload["name"])
        change_setting(
            tx, ctx, spec, int(payload["replaces"]), payload["new"], by=checker, approval_id=item.id
        )
        return Outcome()
    return _access(tx, ctx, item, maker, checker, payload)


def _money(tx: Tx, ctx: ServiceContext, item: Any, maker: Caller, payload: dict[str, Any]) -> int:
    account = load_account(tx, item.account_id)
    options: dict[str, Any] = {
        "memo": payload.get("memo", ""),
        "idempotency_key": system_key(f"approval:{item.id}"),
        "fingerprint": None,
        "approved": True,
        "audit_extra": {"approval": item.id},
    }
    if item.kind == "transfer":
        target = load_account_by_number(tx, payload["to"])
        result = post_transfer(tx, ctx, maker, account, target, item.amount, **options)
        return result.entry_id
    drawer = _drawer(tx, item.drawer_id)
    if drawer.status != "open" or drawer.teller_id != maker.user_id:
        raise DrawerState(
            f"Drawer {drawer.id}, where this cash was taken, is no longer open; the request "
            "cannot be carried out."
        )
    cash_in = item.kind == "deposit"
    result = post_cash(
        tx, ctx, maker, account, item.amount, cash_in=cash_in, cash=drawer.account_id, **options
    )
    return result.entry_id


def _drawer(tx: Tx, drawer_id: int | None) -> Any:
    """The request's drawer, locked (as a close locks it) until the cash is posted."""
    query = select(_drawers).where(_drawers.c.id == drawer_id).with_for_update()
    row = tx.conn.execute(query).one_or_none()
    if row is None:
        raise DrawerState("The drawer this request belongs to no longer exists.")
    return row


def _access(
    tx: Tx,
    ctx: ServiceContext,
    item: Any,
    maker: Caller,
    checker: Caller,
    payload: dict[str, Any],
) -> Outcome:
    target = item.target_user_id
    if item.kind == kinds.STAFF_CREATE:
        user_id, password = access_changes.create_staff_user(tx, ctx, maker, checker, payload)
        return Outcome(temporary_password=password, target_user_id=user_id)
    if item.kind == kinds.STAFF_ROLE:
        access_changes.raise_role(tx, maker, checker, target, str(payload["to"]))
    elif item.kind == kinds.STAFF_ENABLE:
        access_changes.enable_user(tx, maker, checker, target)
    elif item.kind == kinds.PASSWORD_RESET:
        password = access_changes.reset_password(tx, ctx, maker, checker, target)
        return Outcome(temporary_password=password)
    elif item.kind == kinds.SECOND_FACTOR_RESET:
        access_changes.reset_second_factor(tx, maker, checker, target)
    elif item.kind == kinds.STAFF_UNLOCK:
        access_changes.unlock_user(tx, checker, target)
    else:
        raise PermissionDenied(f"Unknown kind of request {item.kind!r}.")
    return Outcome()


def reopen_drawer_after_rejection(tx: Tx, item: Any) -> None:
    """A drawer close that was refused: the drawer goes back to open, for a recount."""
    if item.kind == kinds.DRAWER_CLOSE and item.drawer_id is not None:
        tx.conn.execute(
            update(_drawers)
            .where(_drawers.c.id == item.drawer_id, _drawers.c.status == "closing")
            .values(status="open")
        )
