"""Approval items (maker-checker): what a request is, who may decide it, how it is shown, and
filing one. Every kind of request goes through `file_request`; every decision through
`decidable`, which holds the four-eyes rule in one place."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import Caller, PartyView, Role
from bankapp.errors import ApprovalState, IdempotencyConflict, NotFound, PermissionDenied
from bankapp.services import audit
from bankapp.services.access import describe, load_account, owner_name, require_id
from bankapp.services.ledger import caller_key
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, PendingApproval, User

_items = PendingApproval
_users = User
_accounts = Account

MONEY_KINDS = ("deposit", "withdrawal", "transfer")
CASH_KINDS = ("deposit", "withdrawal")
CLOSE_ACCOUNT = "account_close"
# A stored code (`pending_approvals.kind`): requests filed before the rename still wait under it.
DRAWER_OPENING_CASH = "drawer_float"
DRAWER_CLOSE = "drawer_close"
CREDIT_CARD = "credit_card"
STAFF_CREATE = "staff_create"
STAFF_ROLE = "staff_role"
STAFF_ENABLE = "staff_enable"
PASSWORD_RESET = "password_reset"
SECOND_FACTOR_RESET = "second_factor_reset"
STAFF_UNLOCK = "staff_unlock"
SETTING_CHANGE = "setting_change"
PEOPLE_KINDS = (
    STAFF_CREATE,
    STAFF_ROLE,
    STAFF_ENABLE,
    PASSWORD_RESET,
    SECOND_FACTOR_RESET,
    STAFF_UNLOCK,
)
KIND_LABELS = {
    "deposit": "Cash deposit",
    "withdrawal": "Cash withdrawal",
    "transfer": "Transfer",
    CLOSE_ACCOUNT: "Close account",
    DRAWER_OPENING_CASH: "Drawer opening cash",
    DRAWER_CLOSE: "Drawer close",
    CREDIT_CARD: "Credit card",
    STAFF_CREATE: "New staff user",
    STAFF_ROLE: "Raise role",
    STAFF_ENABLE: "Re-enable staff user",
    PASSWORD_RESET: "Reset password",
    SECOND_FACTOR_RESET: "Reset second factor",
    STAFF_UNLOCK: "Unlock staff user",
    SETTING_CHANGE: "Change setting",
}


@dataclass(frozen=True)
class ApprovalView:
    id: int
    kind: str
    amount: int
    account_id: int | None
    account_label: str
    target_label: str
    memo: str
    maker_id: int
    maker_name: str
    created_at: datetime
    status: str
    checker_name: str
    decided_at: datetime | None
    reason: str
    entry_id: int | None
    target_user_id: int | None = None
    target_user: str = ""
    drawer_id: int | None = None
    decided_amount: int | None = None
    consumed: bool = False
    # Set once, in the result of approving a request that makes one (a new staff user, a
    # password reset): the temporary password for the approver to hand over in person.
    temporary_password: str = field(default="", repr=False)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ApprovalPreview:
    """What approving a request would do now, found by carrying it out and rolling back: the
    request, the customer accounts it moves money in (balance after), the maker's drawer
    after the cash, and for a drawer close its difference (positive over, negative short)."""

    item: ApprovalView
    parties: tuple[PartyView, ...] = ()
    drawer_cash_after: int | None = None
    drawer_difference: int | None = None


@dataclass(frozen=True)
class ApprovalPage:
    items: tuple[ApprovalView, ...]
    next_cursor: int | None  # pass as `before_id` for the next (older) page


def load_item(tx: Tx, item_id: int, *, lock: bool = False) -> Any:
    require_id(item_id, NotFound, "approval item")
    query = select(_items).where(_items.c.id == item_id)
    row = tx.conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound("No such approval item.")
    return row


def file_request(
    tx: Tx,
    maker: Caller,
    kind: str,
    *,
    amount: int = 0,
    account_id: int | None = None,
    target_user_id: int | None = None,
    drawer_id: int | None = None,
    payload: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> ApprovalView:
    """File a request of any kind; the same key and the same request return the first one."""
    body = json.dumps(payload or {}, sort_keys=True)
    key = caller_key(maker, idempotency_key)
    if key:
        found = tx.conn.execute(select(_items).where(_items.c.idempotency_key == key)).one_or_none()
        if found is not None:
            same = (found.maker_id, found.kind, found.account_id, found.amount, found.payload)
            if same != (maker.user_id, kind, account_id, amount, body):
                raise IdempotencyConflict(
                    "This request id was already used for a different operation."
                )
            return item_view(tx, found.id)
    item_id = tx.conn.execute(
        insert(_items)
        .values(
            kind=kind,
            payload=body,
            amount=amount,
            account_id=account_id,
            target_user_id=target_user_id,
            drawer_id=drawer_id,
            maker_id=maker.user_id,
            created_at=tx.now,
            status="pending",
            reason="",
            idempotency_key=key or None,
        )
        .returning(_items.c.id)
    ).scalar_one()
    audit.record(
        tx,
        maker,
        "approval.submit",
        f"approval {item_id}",
        {
            "kind": kind,
            "amount": amount,
            "account_id": account_id,
            "target_user_id": target_user_id,
        },
    )
    return item_view(tx, item_id)


def decidable(tx: Tx, checker: Caller, item_id: int) -> Any:
    """The pending item, locked, if `checker` may decide it. Four eyes: never the maker, nor
    someone whose access the maker created or last changed (or the other way round), nor the
    person the request is about; a teller decides only credit applications (within the
    teller's limit, checked at approval); nobody decides a disabled maker's request."""
    item = load_item(tx, item_id, lock=True)
    if item.status != "pending":
        raise ApprovalState(f"This item was already {item.status}.")
    if checker.role == Role.CUSTOMER or (checker.role == Role.TELLER and item.kind != CREDIT_CARD):
        raise PermissionDenied("Only a supervisor (admin) can decide this request.")
    if item.maker_id == checker.user_id:
        raise ApprovalState("You made this request; another supervisor must decide it.")
    if item.target_user_id == checker.user_id:
        raise ApprovalState("This request is about you; another supervisor must decide it.")
    mine = tx.conn.execute(
        select(_users.c.created_by, _users.c.changed_by).where(_users.c.id == checker.user_id)
    ).one()
    if item.maker_id in (mine.created_by, mine.changed_by):
        raise ApprovalState(
            "Your access was set up by the maker of this request; another supervisor must "
            "decide it."
        )
    maker = tx.conn.execute(
        select(_users.c.created_by, _users.c.changed_by, _users.c.status).where(
            _users.c.id == item.maker_id
        )
    ).one()
    if checker.user_id in (maker.created_by, maker.changed_by):
        raise ApprovalState(
            "You set up the maker's access; another supervisor must decide their requests."
        )
    if maker.status != "active":
        # Disabling a user voids their requests (`void_requests_about`); this is the backstop.
        raise ApprovalState("The maker of this request was disabled; it cannot be decided.")
    return item


def void_item(tx: Tx, item_id: int, reason: str) -> bool:
    done = tx.conn.execute(
        update(_items)
        .where(_items.c.id == item_id, _items.c.status == "pending")
        .values(status="voided", decided_at=tx.now, reason=reason[:200])
    ).rowcount
    if done:
        audit.record(
            tx,
            None,
            "approval.void",
            f"approval {item_id}",
            {"reason": reason},
            actor_name="system",
        )
    return bool(done)


def void_requests_about(tx: Tx, user_id: int, reason: str) -> int:
    """Void every pending request a user made, is the subject of, or that moves money on
    their accounts (a disabled user's requests die with their access)."""
    own_accounts = select(_accounts.c.id).where(_accounts.c.owner_id == user_id)
    ids = tx.conn.execute(
        select(_items.c.id).where(
            _items.c.status == "pending",
            or_(
                _items.c.maker_id == user_id,
                _items.c.target_user_id == user_id,
                _items.c.account_id.in_(own_accounts),
            ),
        )
    ).scalars()
    return sum(void_item(tx, int(i), reason) for i in list(ids))


def maker_of(tx: Tx, maker_id: int) -> Caller:
    """The maker, as an approved item acts: their name and role now (no live session)."""
    row = tx.conn.execute(
        select(_users.c.id, _users.c.username, _users.c.role).where(_users.c.id == maker_id)
    ).one()
    return Caller(row.id, row.username, Role(row.role), session_id=0)


def item_view(tx: Tx, item_id: int, *, temporary_password: str = "") -> ApprovalView:
    row = load_item(tx, item_id)
    payload = json.loads(row.payload)
    ids = [i for i in (row.maker_id, row.checker_id, row.target_user_id) if i is not None]
    names = {
        user.id: user.username
        for user in tx.conn.execute(
            select(_users.c.id, _users.c.username).where(_users.c.id.in_(ids))
        )
    }
    label = ""
    if row.account_id is not None:
        account = load_account(tx, row.account_id)
        label = f"{owner_name(tx, account.owner_id)}: {describe(account)}"
    target = payload.get("to", "")
    target_user = names.get(row.target_user_id, "") if row.target_user_id else ""
    if row.kind == STAFF_CREATE:
        target_user = str(payload.get("username", ""))
    return ApprovalView(
        id=row.id,
        kind=row.kind,
        amount=row.amount,
        account_id=row.account_id,
        account_label=label,
        target_label=mask_account_number(target) if target else "",
        memo=str(payload.get("memo", "")),
        maker_id=row.maker_id,
        maker_name=names.get(row.maker_id, "?"),
        created_at=row.created_at,
        status=row.status,
        checker_name=names.get(row.checker_id, "") if row.checker_id else "",
        decided_at=row.decided_at,
        reason=row.reason,
        entry_id=row.entry_id,
        target_user_id=row.target_user_id,
        target_user=target_user,
        drawer_id=row.drawer_id,
        decided_amount=row.decided_amount,
        consumed=row.consumed_at is not None,
        temporary_password=temporary_password,
    )
