"""Customer service for staff: find a customer by name, email, phone, username or account
number (partial match, keyset paged by name), and one customer's overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountView, Actor, Caller, Role, UserView
from bankapp.errors import UserNotFound, ValidationFailed
from bankapp.services.access import describe, require_id, require_staff, to_view
from bankapp.services.auth.user_rows import user_view
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import (
    Account,
    Card,
    JournalEntry,
    Posting,
    RecentCustomer,
    User,
)

_users = User
_accounts = Account
_cards = Card
_postings = Posting
_entries = JournalEntry
_recent = RecentCustomer

MAX_PAGE = 100
MIN_QUERY = 2
RECENT_LINES = 10
RECENT_CUSTOMERS = 5
MAX_RECENT = 20


@dataclass(frozen=True)
class CustomerMatch:
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    status: str
    accounts: tuple[str, ...]  # masked numbers of the customer's accounts


@dataclass(frozen=True)
class RecentCustomerLine:
    """A customer the staff user opened lately, for their home screen."""

    id: int
    username: str
    full_name: str
    opened_at: datetime


@dataclass(frozen=True)
class SearchCursor:
    """Keyset position: the last (name, id) shown; the next page starts after it."""

    after_name: str
    after_id: int


@dataclass(frozen=True)
class CustomerPage:
    matches: tuple[CustomerMatch, ...]
    next_cursor: SearchCursor | None


@dataclass(frozen=True)
class CardLine:
    id: int
    kind: str
    last4: str
    status: str
    expiry: str  # MM/YY


@dataclass(frozen=True)
class ActivityLine:
    at: datetime
    account: str  # account name and masked number
    kind: str
    memo: str
    amount: int


@dataclass(frozen=True)
class CustomerOverview:
    user: UserView
    accounts: tuple[AccountView, ...]
    cards: tuple[CardLine, ...]
    recent: tuple[ActivityLine, ...]


def _opened(dialect: object) -> object:
    """Remember that a staff user opened a customer, now: one row per pair, its time moved."""
    insert = dialect.insert(_recent)  # type: ignore[attr-defined]
    return insert.on_conflict_do_update(
        index_elements=[_recent.c.staff_id, _recent.c.customer_id],
        set_={"opened_at": insert.excluded.opened_at},
    )


_OPENED = {"postgresql": _opened(postgresql), "sqlite": _opened(sqlite)}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_condition(query: str) -> ColumnElement[bool]:
    pattern = _like(query)
    parts: list[ColumnElement[bool]] = [
        _users.c.full_name.ilike(pattern, escape="\\"),
        _users.c.email.ilike(pattern, escape="\\"),
        _users.c.username.ilike(pattern, escape="\\"),
        _users.c.phone.ilike(pattern, escape="\\"),
    ]
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 3:
        # Phones are stored as typed ("+1 555 0101"): also compare with separators removed.
        bare_phone = func.replace(
            func.replace(func.replace(_users.c.phone, " ", ""), "-", ""), "+", ""
        )
        parts.append(bare_phone.like(f"%{digits}%"))
        parts.append(
            exists().where(
                _accounts.c.owner_id == _users.c.id, _accounts.c.number.like(f"%{digits}%")
            )
        )
    return or_(*parts)


class CustomerService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def search(
        self,
        actor: Actor,
        query: str,
        *,
        cursor: SearchCursor | None = None,
        limit: int = 20,
    ) -> CustomerPage:
        """Customers matching `query` anywhere in name, email, username, phone or account
        number, ordered by name; pass `next_cursor` back for the next page."""
        text = " ".join(query.split())[:100]
        if len(text) < MIN_QUERY:
            raise ValidationFailed(
                f"Type at least {MIN_QUERY} characters to search.", field="query"
            )
        limit = max(1, min(limit, MAX_PAGE))

        def work(tx: Tx, caller: Caller) -> CustomerPage:
            require_staff(caller)
            stmt = (
                select(_users)
                .where(_users.c.role == Role.CUSTOMER.value, _search_condition(text))
                .order_by(_users.c.full_name, _users.c.id)
                .limit(limit + 1)
            )
            if cursor is not None:
                stmt = stmt.where(
                    or_(
                        _users.c.full_name > cursor.after_name,
                        and_(
                            _users.c.full_name == cursor.after_name, _users.c.id > cursor.after_id
                        ),
                    )
                )
            rows = tx.conn.execute(stmt).all()
            shown = rows[:limit]
            numbers: dict[int, list[str]] = {row.id: [] for row in shown}
            for account in tx.conn.execute(
                select(_accounts.c.owner_id, _accounts.c.number)
                .where(_accounts.c.owner_id.in_(list(numbers)))
                .order_by(_accounts.c.id)
            ):
                numbers[account.owner_id].append(mask_account_number(account.number))
            matches = tuple(
                CustomerMatch(
                    row.id,
                    row.username,
                    row.full_name,
                    row.email,
                    row.phone,
                    row.status,
                    tuple(numbers[row.id]),
                )
                for row in shown
            )
            last = shown[-1] if shown else None
            more = len(rows) > limit and last is not None
            return CustomerPage(
                matches, SearchCursor(last.full_name, last.id) if more and last else None
            )

        return self._ctx.read_as(actor, work)

    def recent(
        self, actor: Actor, *, limit: int = RECENT_CUSTOMERS
    ) -> tuple[RecentCustomerLine, ...]:
        """The customers this staff user opened lately (their own list), the latest first."""
        limit = max(1, min(limit, MAX_RECENT))

        def work(tx: Tx, caller: Caller) -> tuple[RecentCustomerLine, ...]:
            require_staff(caller)
            rows = tx.conn.execute(
                select(_users.c.id, _users.c.username, _users.c.full_name, _recent.c.opened_at)
                .join(_users, _users.c.id == _recent.c.customer_id)
                .where(_recent.c.staff_id == caller.user_id)
                .order_by(_recent.c.opened_at.desc(), _recent.c.customer_id.desc())
                .limit(limit)
            ).all()
            return tuple(
                RecentCustomerLine(r.id, r.username, r.full_name, r.opened_at) for r in rows
            )

        return self._ctx.read_as(actor, work)

    def overview(self, actor: Actor, customer_id: int) -> CustomerOverview:
        """Profile, accounts, cards (masked) and the latest activity of one customer; the
        customer goes to the top of the caller's recent customers."""

        def work(tx: Tx, caller: Caller) -> CustomerOverview:
            require_staff(caller)
            require_id(customer_id, UserNotFound, "customer")
            row = tx.conn.execute(select(_users).where(_users.c.id == customer_id)).one_or_none()
            if row is None or row.role != Role.CUSTOMER.value:
                raise UserNotFound("No such customer.")
            tx.conn.execute(
                _OPENED[tx.conn.dialect.name],  # type: ignore[call-overload]
                {"staff_id": caller.user_id, "customer_id": customer_id, "opened_at": tx.now},
            )
            accounts = tx.conn.execute(
                select(_accounts)
                .where(_accounts.c.owner_id == customer_id)
                .order_by(_accounts.c.id)
            ).all()
            cards = tuple(
                CardLine(
                    c.id,
                    c.kind,
                    c.last4,
                    c.status,
                    f"{c.expiry_month:02d}/{c.expiry_year % 100:02d}",
                )
                for c in tx.conn.execute(
                    select(_cards).where(_cards.c.owner_id == customer_id).order_by(_cards.c.id)
                )
            )
            labels = {a.id: describe(a) for a in accounts}
            recent = tuple(
                ActivityLine(p.created_at, labels[p.account_id], p.kind, p.memo, p.amount)
                for p in tx.conn.execute(
                    select(
                        _postings.c.created_at,
                        _postings.c.account_id,
                        _postings.c.amount,
                        _entries.c.kind,
                        _entries.c.memo,
                    )
                    .join(_entries, _entries.c.id == _postings.c.entry_id)
                    .where(_postings.c.account_id.in_(list(labels)))
                    .order_by(_postings.c.id.desc())
                    .limit(RECENT_LINES)
                )
            )
            return CustomerOverview(
                user=user_view(tx, customer_id),
                accounts=tuple(to_view(a, row.full_name) for a in accounts),
                cards=cards,
                recent=recent,
            )

        return self._ctx.write_as(actor, work)
