"""Cash drawers: a teller opens a till with a counted float, takes cash through it, and
closes it by counting; the difference is posted to the over/short account and audited.

Sign convention (the foundation's): a cash account's ledger balance is minus the cash it
holds, because a deposit credits the customer and debits the cash account. So the cash in a
drawer is `-balance` of its account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from bankapp.domain.money import format_cents
from bankapp.domain.types import AccountKind, Actor, Caller, Role
from bankapp.errors import DrawerRequired, DrawerState, NotFound
from bankapp.services import audit
from bankapp.services.access import require_id, require_staff
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import BANK_CASH, Leg, internal_account, post_entry
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, CashDrawer, User, table_of

_drawers = table_of(CashDrawer)
_accounts = table_of(Account)
_users = table_of(User)

OVER_SHORT = "cash:over_short"


@dataclass(frozen=True)
class DrawerView:
    id: int
    teller_id: int
    teller_name: str
    account_id: int
    status: str
    opening_float: int
    opened_at: datetime
    cash_on_hand: int  # what the drawer should hold now (expected cash while open)
    closed_at: datetime | None
    expected_cash: int | None
    counted_cash: int | None
    difference: int | None  # counted - expected: positive over, negative short


def open_drawer_account(tx: Tx, actor: Caller) -> int | None:
    """The ledger account of the actor's open drawer, or None."""
    found = tx.conn.execute(
        select(_drawers.c.account_id).where(
            _drawers.c.teller_id == actor.user_id, _drawers.c.status == "open"
        )
    ).scalar_one_or_none()
    return None if found is None else int(found)


def require_drawer_account(tx: Tx, actor: Caller) -> int:
    account = open_drawer_account(tx, actor)
    if account is None:
        raise DrawerRequired("Open your cash drawer before taking or paying out cash.")
    return account


def require_cash_on_hand(tx: Tx, drawer_account: int, amount: int, currency: str) -> None:
    """A drawer cannot pay out more cash than it holds."""
    balance = tx.conn.execute(
        select(_accounts.c.balance).where(_accounts.c.id == drawer_account)
    ).scalar_one()
    if -balance < amount:
        raise DrawerState(
            f"Not enough cash in your drawer: on hand {format_cents(-balance, currency)}, "
            f"requested {format_cents(amount, currency)}.",
            field="amount",
        )


class DrawerService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def open_drawer(self, actor: Actor, opening_float: int) -> DrawerView:
        """Open the actor's drawer with the float counted into it from the vault (bank cash)."""
        self._ctx.check_amount(opening_float, field="opening_float", allow_zero=True)

        def work(tx: Tx, caller: Caller) -> DrawerView:
            require_staff(caller)
            if open_drawer_account(tx, caller) is not None:
                raise DrawerState("Your drawer is already open; close it before opening another.")
            sessions = tx.conn.execute(
                select(func.count())
                .select_from(_drawers)
                .where(_drawers.c.teller_id == caller.user_id)
            ).scalar_one()
            currency = self._ctx.settings.currency
            account = internal_account(
                tx,
                f"drawer:{caller.user_id}:{sessions + 1}",
                f"Drawer {caller.username[:32]} #{sessions + 1}",
                currency,
            )
            drawer_id = tx.conn.execute(
                insert(_drawers)
                .values(
                    teller_id=caller.user_id,
                    account_id=account,
                    status="open",
                    opening_float=opening_float,
                    opened_at=tx.now,
                )
                .returning(_drawers.c.id)
            ).scalar_one()
            if opening_float:
                vault = internal_account(tx, BANK_CASH, "Bank cash", currency)
                post_entry(
                    tx,
                    kind="drawer_float",
                    memo=f"Float into drawer {drawer_id}",
                    actor=caller,
                    legs=[Leg(account, -opening_float), Leg(vault, opening_float)],
                    currency=currency,
                )
            audit.record(tx, caller, "drawer.open", f"drawer {drawer_id}", {"float": opening_float})
            return self._view(tx, drawer_id)

        return self._ctx.write_as(actor, work)

    def close_drawer(self, actor: Actor, counted_cash: int) -> DrawerView:
        """Close the actor's drawer: the counted cash goes back to the vault and any
        difference from the expected cash is posted to the over/short account."""
        self._ctx.check_amount(counted_cash, field="counted_cash", allow_zero=True)

        def work(tx: Tx, caller: Caller) -> DrawerView:
            require_staff(caller)
            row = tx.conn.execute(
                select(_drawers).where(
                    _drawers.c.teller_id == caller.user_id, _drawers.c.status == "open"
                )
            ).one_or_none()
            if row is None:
                raise DrawerState("You have no open drawer to close.")
            expected = -self._balance(tx, row.account_id)
            difference = counted_cash - expected
            currency = self._ctx.settings.currency
            legs = [
                Leg(row.account_id, expected),
                Leg(internal_account(tx, BANK_CASH, "Bank cash", currency), -counted_cash),
                Leg(internal_account(tx, OVER_SHORT, "Cash over/short", currency), difference),
            ]
            legs = [leg for leg in legs if leg.amount]
            if legs:  # never a single leg: the three amounts sum to zero
                post_entry(
                    tx,
                    kind="drawer_close",
                    memo=f"Close drawer {row.id}",
                    actor=caller,
                    legs=legs,
                    currency=currency,
                )
            tx.conn.execute(
                update(_drawers)
                .where(_drawers.c.id == row.id)
                .values(
                    status="closed",
                    closed_at=tx.now,
                    expected_cash=expected,
                    counted_cash=counted_cash,
                    difference=difference,
                )
            )
            details = {"expected": expected, "counted": counted_cash, "difference": difference}
            audit.record(tx, caller, "drawer.close", f"drawer {row.id}", details)
            if difference:
                audit.record(
                    tx,
                    caller,
                    "drawer.over" if difference > 0 else "drawer.short",
                    f"drawer {row.id}",
                    details,
                )
            return self._view(tx, row.id)

        return self._ctx.write_as(actor, work)

    def current(self, actor: Actor) -> DrawerView | None:
        """The actor's open drawer with its cash on hand, or None."""

        def work(tx: Tx, caller: Caller) -> DrawerView | None:
            require_staff(caller)
            found = tx.conn.execute(
                select(_drawers.c.id).where(
                    _drawers.c.teller_id == caller.user_id, _drawers.c.status == "open"
                )
            ).scalar_one_or_none()
            return None if found is None else self._view(tx, int(found))

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

    # -- shared steps ---------------------------------------------------------------------

    @staticmethod
    def _balance(tx: Tx, account_id: int) -> int:
        return int(
            tx.conn.execute(
                select(_accounts.c.balance).where(_accounts.c.id == account_id)
            ).scalar_one()
        )

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
        opening_float=row.opening_float,
        opened_at=row.opened_at,
        cash_on_hand=-int(balance) if row.status == "open" else 0,
        closed_at=row.closed_at,
        expected_cash=row.expected_cash,
        counted_cash=row.counted_cash,
        difference=row.difference,
    )
