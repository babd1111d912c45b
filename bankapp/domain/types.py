"""Plain immutable results the services return; no database session is attached to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "customer"
    TELLER = "teller"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.TELLER, Role.ADMIN})


class AccountKind(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"
    BUSINESS = "business"
    CREDIT_CARD = "credit_card"
    INTERNAL = "internal"


CUSTOMER_ACCOUNT_KINDS = (AccountKind.CHECKING, AccountKind.SAVINGS, AccountKind.BUSINESS)


class AccountStatus(StrEnum):
    OPEN = "open"
    FROZEN = "frozen"
    CLOSED = "closed"


@dataclass(frozen=True)
class Actor:
    """Who is calling a service: every service checks it, whatever the screen asked."""

    user_id: int
    username: str
    role: Role

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: Role
    full_name: str
    email: str
    phone: str
    address: str
    status: str
    must_change_password: bool
    locked_until: datetime | None
    totp_enabled: bool
    created_at: datetime


@dataclass(frozen=True)
class LoginResult:
    actor: Actor
    user: UserView
    must_change_password: bool
    # Password accepted but not signed in yet: call `auth.complete_second_factor(challenge,
    # code)`; when `totp_enrolment_required`, first show `totp.begin_enrolment(challenge=...)`.
    second_factor_required: bool = False
    totp_enrolment_required: bool = False
    challenge: str = ""
    recovery_codes: tuple[str, ...] = ()  # set once, when enrolment completes: show them once


@dataclass(frozen=True)
class AccountView:
    id: int
    number: str
    owner_id: int | None
    owner_name: str
    kind: AccountKind
    name: str
    currency: str
    balance: int
    credit_limit: int
    status: AccountStatus
    opened_at: datetime
    closed_at: datetime | None

    @property
    def available(self) -> int:
        return self.balance + self.credit_limit


@dataclass(frozen=True)
class EntryResult:
    """The outcome of a money movement: the journal entry and balances after it."""

    entry_id: int
    kind: str
    amount: int
    created_at: datetime
    balances: dict[int, int]  # account id -> balance after the entry
    replayed: bool = False  # True when an idempotent retry returned the first result


@dataclass(frozen=True)
class HistoryLine:
    posting_id: int
    entry_id: int
    at: datetime
    kind: str
    memo: str
    amount: int
    balance_after: int
    counterparty: str  # masked number or description of the other side


@dataclass(frozen=True)
class HistoryCursor:
    """Keyset position: the last posting id shown; the next page starts below it."""

    before_posting_id: int


@dataclass(frozen=True)
class HistoryPage:
    lines: tuple[HistoryLine, ...]
    next_cursor: HistoryCursor | None


@dataclass(frozen=True)
class AuditLine:
    seq: int
    at: datetime
    actor_name: str
    kind: str
    subject: str
    details: str
