"""Cash drawers: a teller opens a till with opening cash taken from the vault, takes cash
through it, and closes it by counting; the counted cash goes back to the vault and the
difference to the over/short account. Opening cash above the configured maximum, or a count
off by more than the tolerance, waits for a supervisor (`approvals.submit_opening_cash` /
`submit_drawer_close`); a drawer that holds a cash request waiting for approval cannot close.

Sign convention (the foundation's): a cash account's ledger balance is minus the cash it
holds, because a deposit credits the customer and debits the cash account. So the cash in a
drawer is `-balance` of its account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from bankapp.domain import entry_kinds
from bankapp.domain.money import format_cents
from bankapp.domain.types import AccountKind, Actor, Caller, DrawerClosePreview, Role
from bankapp.errors import ApprovalRequired, DrawerRequired, DrawerState, NotFound
from bankapp.services import audit
from bankapp.services.access import require_id, require_staff
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import BANK_CASH, AuditNote, Leg, internal_account, post_entry
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, CashDrawer, PendingApproval, User

_drawers = CashDrawer
_accounts = Account
_users = User
_items = PendingApproval

OVER_SHORT = "cash:over_short"
VAULT_NAME = "Bank cash"  # the vault: what the branch holds outside its drawers
CASH_REQUESTS = ("deposit", "withdrawal")
# Journal entry kinds, stored codes: every ledger since 0.1.0 holds entries of these kinds
# (and recorded statements hash them), so the codes stay as first written.
OPENING_CASH_ENTRY = entry_kinds.DRAWER_OPENING_CASH
CLOSE_ENTRY = entry_kinds.DRAWER_CLOSE
OPENING_CASH_MEMO = "Opening cash into drawer "  # + the drawer id
CLOSE_MEMO = "Close drawer "


@dataclass(frozen=True)
class DrawerView:
    id: int
    teller_id: int
    teller_name: str
    account_id: int
    status: str  # open | closing (waiting for a supervisor) | closed
    opening_cash: int
    opened_at: datetime
    cash_on_hand: int  # what the drawer should hold now (expected cash while open)
    closed_at: datetime | None
    expected_cash: int | None
    counted_cash: int | None
    difference: int | None  # counted - expected: positive over, negative short


def open_drawer_row(tx: Tx, teller: Caller, *, lock: bool = False) -> Any | None:
    """The teller's drawer that is open (or waiting to close), or None."""
    query = select(_drawers).where(
        _drawers.c.teller_id == teller.user_id, _drawers.c.status.in_(("open", "closing"))
    )
    return tx.conn.execute(query.with_for_update() if lock else query).one_or_none()


def drawer_row(tx: Tx, drawer_id: int) -> Any | None:
    """Drawer `drawer_id` as it stands, or None."""
    return tx.conn.execute(select(_drawers).where(_drawers.c.id == drawer_id)).one_or_none()


def require_open_drawer(tx: Tx, actor: Caller) -> Any:
    """The actor's drawer that takes cash now, or why there is none. The row stays locked to
    the end of the transaction, so the drawer cannot close between this check and the cash
    posted to it (a close takes the same lock first)."""
    drawer = open_drawer_row(tx, actor, lock=True)
    if drawer is None:
        raise DrawerRequired("Open your cash drawer before taking or paying out cash.")
    if drawer.status != "open":
        raise DrawerState(
            "Your drawer's count waits for a supervisor; it takes no cash until then."
        )
    return drawer


def require_drawer_account(tx: Tx, actor: Caller) -> int:
    """The ledger account of the drawer that takes the actor's cash now."""
    return int(require_open_drawer(tx, actor).account_id)


def require_cash_on_hand(tx: Tx, drawer_account: int, amount: int, currency: str) -> None:
    """A drawer cannot pay out more cash than it holds. The drawer's row is locked before its
    cash is read, so two payouts from one drawer at once are counted one after the other."""
    tx.conn.execute(
        select(_drawers.c.id).where(_drawers.c.account_id == drawer_account).with_for_update()
    ).first()
    balance = tx.conn.execute(
        select(_accounts.c.balance).where(_accounts.c.id == drawer_account)
    ).scalar_one()
    if -balance < amount:
        raise DrawerState(
            f"Not enough cash in your drawer: on hand {format_cents(-balance, currency)}, "
            f"requested {format_cents(amount, currency)}.",
            field="amount",
        )


def pending_cash_requests(tx: Tx, drawer_id: int) -> list[int]:
    """The cash requests taken at this drawer that still wait for a supervisor."""
    return [
        int(i)
        for i in tx.conn.execute(
            select(_items.c.id).where(
                _items.c.drawer_id == drawer_id,
                _items.c.status == "pending",
                _items.c.kind.in_(CASH_REQUESTS),
            )
        ).scalars()
    ]


def require_no_waiting_requests(tx: Tx, drawer: Any) -> None:
    """A drawer that took cash for a request still waiting for approval cannot close: the
    approval posts against it."""
    waiting = pending_cash_requests(tx, drawer.id)
    if waiting:
        numbers = ", ".join(f"#{i}" for i in waiting)
        raise DrawerState(
            f"Drawer {drawer.id} holds cash request(s) {numbers} waiting for a supervisor; "
            "it can close once they are decided."
        )


def start_drawer(tx: Tx, ctx: ServiceContext, teller: Caller, opening_cash: int) -> int:
    """Open a drawer for `teller` with `opening_cash` from the vault (direct, or once a
    supervisor approved a large amount); returns the drawer id."""
    # The teller's own row is the lock: with no drawer open there is no drawer row to lock,
    # and two opens at once must not both find none.
    tx.conn.execute(select(_users.c.id).where(_users.c.id == teller.user_id).with_for_update())
    if open_drawer_row(tx, teller, lock=True) is not None:
        raise DrawerState("Your drawer is already open; close it before opening another.")
    sessions = tx.conn.execute(
        select(func.count()).select_from(_drawers).where(_drawers.c.teller_id == teller.user_id)
    ).scalar_one()
    currency = ctx.settings.currency
    account = internal_account(
        tx,
        f"drawer:{teller.user_id}:{sessions + 1}",
        f"Drawer {teller.username[:32]} #{sessions + 1}",
        currency,
    )
    drawer_id = int(
        tx.conn.execute(
            insert(_drawers)
            .values(
                teller_id=teller.user_id,
                account_id=account,
                status="open",
                opening_cash=opening_cash,
                opened_at=tx.now,
            )
            .returning(_drawers.c.id)
        ).scalar_one()
    )
    if opening_cash:
        vault = internal_account(tx, BANK_CASH, VAULT_NAME, currency)
        post_entry(
            tx,
            kind=OPENING_CASH_ENTRY,
            memo=f"{OPENING_CASH_MEMO}{drawer_id}",
            actor=teller,
            legs=[Leg(account, -opening_cash), Leg(vault, opening_cash)],
            audit_note=AuditNote(
                "drawer.open", {"opening_cash": opening_cash}, f"drawer {drawer_id}"
            ),
            currency=currency,
        )
    else:
        audit.record(
            tx, teller, "drawer.open", f"drawer {drawer_id}", {"opening_cash": opening_cash}
        )
    return drawer_id


def expected_cash(tx: Tx, drawer: Any) -> int:
    return -int(
        tx.conn.execute(
            select(_accounts.c.balance).where(_accounts.c.id == drawer.account_id)
        ).scalar_one()
    )


def finish_drawer(tx: Tx, ctx: ServiceContext, teller: Caller, drawer: Any, counted: int) -> None:
    """Close `drawer`: the counted cash back to the vault, the difference to over/short
    (direct, or once a supervisor approved a difference over the tolerance)."""
    require_no_waiting_requests(tx, drawer)
    expected = expected_cash(tx, drawer)
    difference = counted - expected
    currency = ctx.settings.currency
    legs = [
        Leg(drawer.account_id, expected),
        Leg(internal_account(tx, BANK_CASH, VAULT_NAME, currency), -counted),
        Leg(internal_account(tx, OVER_SHORT, "Cash over/short", currency), difference),
    ]
    legs = [leg for leg in legs if leg.amount]
    closed = tx.conn.execute(
        update(_drawers)
        .where(_drawers.c.id == drawer.id, _drawers.c.status.in_(("open", "closing")))
        .values(
            status="closed",
            closed_at=tx.now,
            expected_cash=expected,
            counted_cash=counted,
            difference=difference,
        )
    ).rowcount
    if closed != 1:
        raise DrawerState(f"Drawer {drawer.id} is already closed.")
    details = {"expected": expected, "counted": counted, "difference": difference}
    if legs:  # never a single leg: the three amounts sum to zero
        post_entry(
            tx,
            kind=CLOSE_ENTRY,
            memo=f"{CLOSE_MEMO}{drawer.id}",
            actor=teller,
            legs=legs,
            audit_note=AuditNote("drawer.close", details, f"drawer {drawer.id}"),
            currency=currency,
        )
    else:
        audit.record(tx, teller, "drawer.close", f"drawer {drawer.id}", details)
    if difference:
        audit.record(
            tx,
            teller,
            "drawer.over" if difference > 0 else "drawer.short",
            f"drawer {drawer.id}",
            details,
        )


class DrawerService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def open_drawer(self, actor: Actor, opening_cash: int) -> DrawerView:
        """Open the actor's drawer with the opening cash counted into it from the vault.
        Opening cash above the maximum is refused (ApprovalRequired): submit it for approval
        instead."""
        self._ctx.check_amount(opening_cash, field="opening_cash", allow_zero=True)
        most = self._ctx.settings.drawer_opening_cash_max_cents

        def work(tx: Tx, caller: Caller) -> DrawerView:
            require_staff(caller)
            if opening_cash > most:
                raise ApprovalRequired(
                    f"Opening cash over {self._ctx.money(most)} needs a supervisor's approval.",
                    field="opening_cash",
                )
            return self._view(tx, start_drawer(tx, self._ctx, caller, opening_cash))

        return self._ctx.write_as(actor, work)

    def close_drawer(self, actor: Actor, counted_cash: int) -> DrawerView:
        """Close the actor's drawer with the cash counted in it. A difference from the expected
        cash within the tolerance is posted to over/short now; a larger one is refused
        (ApprovalRequired): submit the count for a supervisor's approval instead."""
        return self._ctx.write_as(actor, self._close_work(counted_cash))

    def preview_close(self, actor: Actor, counted_cash: int) -> DrawerClosePreview:
        """What `close_drawer` would do with this count, by its own checks, with nothing
        posted: expected, counted and the difference; over the tolerance, why a supervisor
        must decide (`approval`), which is what sending the count for approval asks."""
        work = self._close_work(counted_cash)

        def closed(tx: Tx, caller: Caller) -> DrawerClosePreview:
            view = work(tx, caller)
            expected = view.expected_cash or 0
            return DrawerClosePreview(
                view.id, view.opening_cash, expected, counted_cash, counted_cash - expected
            )

        def waiting(tx: Tx, caller: Caller) -> DrawerClosePreview:
            row = open_drawer_row(tx, caller)
            if row is None:
                raise DrawerState("You have no open drawer to close.")
            expected = expected_cash(tx, row)
            return DrawerClosePreview(
                row.id, row.opening_cash, expected, counted_cash, counted_cash - expected
            )

        try:
            return self._ctx.preview_as(actor, closed)
        except ApprovalRequired as needs:
            return replace(self._ctx.read_as(actor, waiting), approval=needs.message)

    def _close_work(self, counted_cash: int) -> Callable[[Tx, Caller], DrawerView]:
        """The one unit of work of closing a drawer with a count (`close_drawer`)."""
        self._ctx.check_amount(counted_cash, field="counted_cash", allow_zero=True)
        tolerance = self._ctx.settings.drawer_tolerance_cents

        def work(tx: Tx, caller: Caller) -> DrawerView:
            require_staff(caller)
            row = open_drawer_row(tx, caller, lock=True)
            if row is None or row.status != "open":
                raise DrawerState(
                    "You have no open drawer to close."
                    if row is None
                    else f"Drawer {row.id} already waits for a supervisor to close it."
                )
            require_no_waiting_requests(tx, row)
            difference = counted_cash - expected_cash(tx, row)
            if abs(difference) > tolerance:
                raise ApprovalRequired(
                    f"The count is {self._ctx.money(abs(difference))} "
                    f"{'over' if difference > 0 else 'short'}; more than "
                    f"{self._ctx.money(tolerance)} needs a supervisor's approval.",
                    field="counted_cash",
                )
            finish_drawer(tx, self._ctx, caller, row, counted_cash)
            return self._view(tx, row.id)

        return work

    def current(self, actor: Actor) -> DrawerView | None:
        """The actor's open drawer (or one waiting to close) with its cash on hand, or None."""

        def work(tx: Tx, caller: Caller) -> DrawerView | None:
            require_staff(caller)
            row = open_drawer_row(tx, caller)
            return None if row is None else drawer_view(tx, row)

        return self._ctx.read_as(actor, work)

    def get(self, actor: Actor, drawer_id: int) -> DrawerView:
        """A drawer: tellers see their own, admins see every drawer."""

        def work(tx: Tx, caller: Caller) -> DrawerView:
            require_staff(caller)
            view = self._view(tx, drawer_id)
            if caller.role != Role.ADMIN and view.teller_id != caller.user_id:
                raise NotFound("No such drawer.")
            return view

        return self._ctx.read_as(actor, work)

    def _view(self, tx: Tx, drawer_id: int) -> DrawerView:
        require_id(drawer_id, NotFound, "drawer")
        row = tx.conn.execute(select(_drawers).where(_drawers.c.id == drawer_id)).one_or_none()
        if row is None:
            raise NotFound("No such drawer.")
        return drawer_view(tx, row)


def drawer_view(tx: Tx, row: Any) -> DrawerView:
    name = tx.conn.execute(
        select(_users.c.username).where(_users.c.id == row.teller_id)
    ).scalar_one()
    balance = tx.conn.execute(
        select(_accounts.c.balance).where(
            _accounts.c.id == row.account_id, _accounts.c.kind == AccountKind.INTERNAL
        )
    ).scalar_one()
    return DrawerView(
        id=row.id,
        teller_id=row.teller_id,
        teller_name=name,
        account_id=row.account_id,
        status=row.status,
        opening_cash=row.opening_cash,
        opened_at=row.opened_at,
        cash_on_hand=-int(balance) if row.status != "closed" else 0,
        closed_at=row.closed_at,
        expected_cash=row.expected_cash,
        counted_cash=row.counted_cash,
        difference=row.difference,
    )
