"""Plain immutable results the services return; no database session is attached to them."""

from __future__ import annotations

from dataclasses import dataclass, field
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


class SessionState(StrEnum):
    """Where a sign-in stands. A session moves forward only through the call that satisfies
    its step; only an `active` one may do anything else."""

    NEEDS_SECOND_FACTOR = "needs_second_factor"
    MUST_CHANGE_PASSWORD = "must_change_password"
    MUST_ENROL_SECOND_FACTOR = "must_enrol_second_factor"
    ACTIVE = "active"
    LOCKED = "locked"
    ENDED = "ended"


@dataclass(frozen=True)
class Actor:
    """The signed-in user as a screen or script holds it: a handle on a server-side session.
    Services trust only the session; `username` and `role` are for showing, and every call
    reads the user's current name, role and status from the database."""

    user_id: int
    username: str
    role: Role
    session: str = field(default="", repr=False)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


@dataclass(frozen=True)
class Caller:
    """Who is acting, as the service layer verified it for one call: the session is active
    and belongs to this user, the user is active, and name and role come from the database.
    Only `bankapp.services.sessions` makes one; internal functions take a Caller, never an
    Actor, so nothing acts on what a caller merely claims."""

    user_id: int
    username: str
    role: Role
    session_id: int

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
class PasswordReset:
    """Shown to a user at the sign-in after staff reset their password."""

    by: str
    at: datetime


@dataclass(frozen=True)
class LoginResult:
    """One step of signing in: the session handle and what it still owes (`state`). Only an
    `active` session reaches the bank; the others can call only their next step."""

    actor: Actor
    user: UserView
    state: SessionState
    recovery_codes: tuple[str, ...] = ()  # set once, when enrolment completes: show them once
    password_reset: PasswordReset | None = None

    @property
    def signed_in(self) -> bool:
        return self.state == SessionState.ACTIVE

    @property
    def second_factor_required(self) -> bool:
        return self.state == SessionState.NEEDS_SECOND_FACTOR

    @property
    def must_change_password(self) -> bool:
        return self.state == SessionState.MUST_CHANGE_PASSWORD

    @property
    def totp_enrolment_required(self) -> bool:
        return self.state == SessionState.MUST_ENROL_SECOND_FACTOR


@dataclass(frozen=True)
class SignInEvent:
    """One sign-in attempt on a user's account, as its owner may see it."""

    at: datetime
    succeeded: bool
    method: str  # password, authenticator code, recovery code, ...


@dataclass(frozen=True)
class AccountView:
    id: int
    number: str
    owner_id: int | None
    owner_name: str
    kind: AccountKind
    name: str
    currency: str
    balance: int  # the ledger balance: every posting, cleared or not
    credit_limit: int
    status: AccountStatus
    opened_at: datetime
    closed_at: datetime | None
    held: int = 0  # reserved by holds (uncleared deposits, card authorisations)

    @property
    def available(self) -> int:
        """What may be spent now: the balance less holds, plus any credit line."""
        return self.balance - self.held + self.credit_limit


@dataclass(frozen=True)
class AccountClosePreview:
    """What closing an account would do: the account, the cards cancelled with it (masked),
    and why a supervisor must decide instead (`approval`, empty when it closes at once)."""

    account: AccountView
    cards: tuple[str, ...] = ()
    approval: str = ""


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
class PartyView:
    """One customer account a previewed movement touches, as a confirmation names it."""

    account_id: int
    holder: str  # the holder's name (a customer sees another holder as "A. Martin")
    account: str  # the account's name and masked number ("Everyday ****0423")
    balance_after: int | None  # None when the caller may not see that account's balance


@dataclass(frozen=True)
class MovementPreview:
    """What a deposit, withdrawal or transfer would do now, checked by the rules that post
    it, with nothing moved. `approval` says why it would wait for a supervisor instead (then
    nothing moves when it is sent, and the balances after are those of today)."""

    kind: str  # deposit | withdrawal | transfer | card_payment
    amount: int
    memo: str
    source: PartyView  # the account acted on (where a deposit goes; a card is paid from)
    target: PartyView | None  # a transfer's destination; the card's account
    drawer_cash_after: int | None  # the teller's drawer after the cash (staff cash only)
    approval: str = ""


@dataclass(frozen=True)
class DrawerClosePreview:
    """What closing the teller's drawer with a count would do: expected and counted cash and
    the difference (positive over, negative short); `approval` says why a supervisor must
    decide instead (the drawer then takes no cash until they do)."""

    drawer_id: int
    opening_cash: int
    expected_cash: int
    counted_cash: int
    difference: int
    approval: str = ""


@dataclass(frozen=True)
class HistoryLine:
    posting_id: int
    account_id: int  # whose history the line is in
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
