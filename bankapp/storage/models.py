"""SQLAlchemy 2 table definitions: users, accounts, the ledger, audit, cards, drawers, approvals."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bankapp.domain import entry_kinds

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Kept append-only by database triggers (migration 0004): corrections are new rows.
APPEND_ONLY_TABLES = ("journal_entries", "postings", "audit_events", "seals")
# Written only by triggers on the books (migration 0007), as their owner: the application
# role reads them and never writes one.
DERIVED_TABLES = ("posting_search",)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class, typed as a Table for Core statements."""
    return cast(Table, model.__table__)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('customer','teller','admin')", name="role"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Second factor (RFC 6238): the secret is stored encrypted with the installation key.
    totp_secret_enc: Mapped[str | None] = mapped_column(String(400))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    recovery_codes: Mapped[str | None] = mapped_column(Text)
    # Four eyes on people: who created the user and who last changed their access; neither
    # may approve a request that user makes (users.created_by is None: the local operator).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The last password reset by staff, shown to the user at their next sign-in.
    password_reset_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    password_reset_at: Mapped[datetime | None] = mapped_column(DateTime)


Index("ix_users_full_name", User.full_name)
Index("ix_users_email", User.email)


class SignInThrottle(Base):
    """Failed sign-ins per name typed, known user or not, so throttling and lockout behave
    the same for both and reveal nothing about who exists (NIST SP 800-63B 5.2.2)."""

    __tablename__ = "sign_in_throttle"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class UserSession(Base):
    """A server-side session: only the SHA-256 of its random token is stored. `state` says
    what the sign-in still owes; only an active session may act."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint(
            "state IN ('needs_second_factor','must_change_password',"
            "'must_enrol_second_factor','active','locked','ended')",
            name="state",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(24), default="password")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    # A stronger hash of the password computed at sign-in, stored once the sign-in completes.
    pending_password_hash: Mapped[str | None] = mapped_column(String(200))


Index("ix_sessions_user", UserSession.user_id, UserSession.state)


class Account(Base):
    """A ledger account: a customer's checking/savings/business/credit-card account or an
    internal one (bank cash, a teller's drawer, merchant settlement, over/short).

    `balance` is signed from the holder's point of view and always equals the sum of the
    account's postings; `held` is the sum of its active holds. The available balance,
    `balance - held`, may go down to `-credit_limit`; internal accounts are unbounded.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('checking','savings','business','credit_card','internal')", name="kind"
        ),
        CheckConstraint("status IN ('open','frozen','closed')", name="status"),
        CheckConstraint("credit_limit >= 0", name="credit_limit"),
        CheckConstraint("held >= 0", name="held"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(34), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    held: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_limit: Mapped[int] = mapped_column(BigInteger, default=0)
    unbounded: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    internal_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


Index("ix_accounts_owner", Account.owner_id, Account.id)


class JournalEntry(Base):
    """One business event that moves money; its postings sum to zero."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    memo: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # "u<user id>:<key>" for a caller's key, "sys:<key>" for the bank's own (approvals, batches).
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    # The card a purchase or card payment was made with (no foreign key: cards come later).
    card_id: Mapped[int | None] = mapped_column(BigInteger)


Index("ix_journal_entries_card", JournalEntry.card_id, JournalEntry.id)
# The few entries between the bank's own accounts (drawer opening cash and close), which
# verify ties to each drawer: a partial index holds only them (revision 0009).
BANK_ENTRIES = text(
    "kind IN (" + ", ".join(f"'{kind}'" for kind in entry_kinds.BANK_ENTRY_KINDS) + ")"
)
Index(
    "ix_journal_entries_bank_kinds",
    JournalEntry.kind,
    JournalEntry.id,
    sqlite_where=BANK_ENTRIES,
    postgresql_where=BANK_ENTRIES,
)


class Posting(Base):
    """One leg of a journal entry: a signed amount on one account and its balance afterwards."""

    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# Verify streams these without touching the table (revision 0006); they also serve history.
Index(
    "ix_postings_account_running",
    Posting.account_id,
    Posting.id,
    Posting.amount,
    Posting.balance_after,
)
# Covers a statement's totals (amount in the index): no table row is read for them.
Index(
    "ix_postings_account_time", Posting.account_id, Posting.created_at, Posting.id, Posting.amount
)
Index("ix_postings_entry_legs", Posting.entry_id, Posting.account_id, Posting.amount)


class PostingSearch(Base):
    """What history filters seek on, one row per posting, written by a trigger on `postings`
    in the posting's transaction (migration 0007): its account, its entry's kind and its
    size. Derived from the ledger, so no foreign keys; a page rechecks what it finds."""

    __tablename__ = "posting_search"

    posting_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(BigInteger)
    entry_kind: Mapped[str] = mapped_column(String(32))
    abs_amount: Mapped[int] = mapped_column(BigInteger)


# Newest first within one account and one kind, or one range of amounts.
Index(
    "ix_posting_search_kind",
    PostingSearch.account_id,
    PostingSearch.entry_kind,
    PostingSearch.posting_id,
)
Index(
    "ix_posting_search_amount",
    PostingSearch.account_id,
    PostingSearch.abs_amount,
    PostingSearch.posting_id,
)

# Memo search, made by migration 0007 where no model can declare it: on SQLite the FTS5
# table `posting_memos` (trigram tokens; rowid = account id * 2**MEMO_KEY_BITS + posting id,
# so one account is one rowid range) and its shadow tables, on PostgreSQL a pg_trgm index.
MEMO_SEARCH_TABLE = "posting_memos"
MEMO_TRIGRAM_INDEX = "ix_journal_entries_memo_trgm"
MEMO_KEY_BITS = 40
MEMO_KEY_ACCOUNTS = 2**23  # account ids below this have memo rows


def declared_in_models(name: str | None) -> bool:
    """False for the memo search objects above, which schema comparisons leave out."""
    return not (name or "").startswith((MEMO_SEARCH_TABLE, MEMO_TRIGRAM_INDEX))


class AuditEvent(Base):
    """Append-only audit trail; each row's hash covers its content and the previous hash."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(48))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    # The link: HMAC-SHA256 under the chain key (plain SHA-256 before revision 0004).
    hash: Mapped[str] = mapped_column(String(64))
    # A money event names its journal entry and every leg ("account:amount;..." sorted), so
    # verify can prove each entry still moves exactly what was recorded, between the same
    # accounts. Each entry has exactly one such event.
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    legs: Mapped[str | None] = mapped_column(Text)
    # Which installation key linked this event (the start of its fingerprint); None before
    # revision 0004. Old keys stay in the key file after a rotation, so old links still check.
    key_id: Mapped[str | None] = mapped_column(String(16))


Index("ix_audit_events_at", AuditEvent.at)
Index("ix_audit_events_actor", AuditEvent.actor_id, AuditEvent.seq)
Index("ix_audit_events_kind", AuditEvent.kind, AuditEvent.seq)
Index("ix_audit_events_subject", AuditEvent.subject, AuditEvent.seq)
Index("ix_audit_events_entry", AuditEvent.entry_id, unique=True)


class Installation(Base):
    """One row: which installation key this database belongs to (a fingerprint, never the
    key), and where the unkeyed part of the audit chain (before revision 0004) ends. `tag`
    is an HMAC under the chain key over the rest of the row, so the boundary cannot move."""

    __tablename__ = "installation"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    legacy_until_seq: Mapped[int] = mapped_column(BigInteger)
    legacy_until_entry: Mapped[int] = mapped_column(BigInteger)
    registered_at: Mapped[datetime | None] = mapped_column(DateTime)
    tag: Mapped[str | None] = mapped_column(String(64))


class Seal(Base):
    """A checkpoint of the books: the audit chain's head at `seq`, and the count and sum of
    postings per account kind up to `last_posting_id`. `line` is what a supervisor writes
    down; it proves later that nothing up to the seal changed. Append-only."""

    __tablename__ = "seals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_date: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(BigInteger)
    head: Mapped[str] = mapped_column(String(64))
    last_posting_id: Mapped[int] = mapped_column(BigInteger)
    summary: Mapped[str] = mapped_column(Text)
    line: Mapped[str] = mapped_column(String(200))
    sealed_at: Mapped[datetime] = mapped_column(DateTime)
    sealed_by: Mapped[str] = mapped_column(String(64))


Index("ix_seals_seq", Seal.seq)


class AuditHead(Base):
    """A single row holding the chain's last sequence number and hash; locking it serialises
    appends so concurrent writers (several PostgreSQL workstations) cannot fork the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class Card(Base):
    """A payment card. Only the last four digits and a keyed hash of the number are kept; the
    CVV is derived from the number with the installation key when needed, never stored."""

    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint("kind IN ('debit','credit')", name="kind"),
        CheckConstraint(
            "status IN ('active','frozen','lost','stolen','cancelled','replaced')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(8))
    last4: Mapped[str] = mapped_column(String(4))
    pan_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expiry_year: Mapped[int] = mapped_column(Integer)
    expiry_month: Mapped[int] = mapped_column(Integer)
    cardholder_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="active")
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    # Consecutive purchases refused for a wrong CVV or expiry date; the third freezes it.
    cvv_failures: Mapped[int] = mapped_column(Integer, default=0)
    # Frozen by the bank (staff, or the wrong-details rule): only staff lift it or replace it.
    frozen_by_bank: Mapped[bool] = mapped_column(Boolean, default=False)


Index("ix_cards_owner", Card.owner_id, Card.id)


class CashDrawer(Base):
    """A teller's till for one session: opening cash in, cash movements, counted at close."""

    __tablename__ = "cash_drawers"
    # `closing`: counted with a difference over the tolerance, waiting for a supervisor.
    __table_args__ = (CheckConstraint("status IN ('open','closing','closed')", name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    teller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(String(8), default="open")
    # The column keeps the name migration 0001 gave it; Core and the ORM know it by `key`.
    opening_cash: Mapped[int] = mapped_column("opening_float", BigInteger, key="opening_cash")
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    expected_cash: Mapped[int | None] = mapped_column(BigInteger)
    counted_cash: Mapped[int | None] = mapped_column(BigInteger)
    difference: Mapped[int | None] = mapped_column(BigInteger)


Index("ix_cash_drawers_teller", CashDrawer.teller_id, CashDrawer.status)


class PendingApproval(Base):
    """A maker-checker item: an operation that waits for a second person's approval."""

    __tablename__ = "pending_approvals"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending','approved','rejected','failed','voided')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    maker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # The drawer a cash request was taken at: approval posts against it, and it cannot close
    # while the request waits.
    drawer_id: Mapped[int | None] = mapped_column(ForeignKey("cash_drawers.id"))
    # The user a request about people is for (a new staff user, a reset, a role).
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the checker decided where it may differ from what was asked (a credit limit).
    decided_amount: Mapped[int | None] = mapped_column(BigInteger)
    # When what the approval allows was used (a credit card issued from an application).
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime)


Index("ix_pending_approvals_status", PendingApproval.status, PendingApproval.id)
Index("ix_pending_approvals_drawer", PendingApproval.drawer_id, PendingApproval.status)


class Hold(Base):
    """Money reserved on an account without moving it (two-phase, as TigerBeetle's pending
    transfers): an uncleared deposit, a card authorisation, a staff hold. Resolved at most once:
    released (or cleared), expired, captured (posted) or returned."""

    __tablename__ = "holds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("kind IN ('deposit','card','staff')", name="kind"),
        CheckConstraint(
            "status IN ('held','released','expired','captured','returned')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="held")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # When it ends by itself: a deposit clears, an authorisation expires.
    release_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The deposit it holds back, or the purchase entry that captured it.
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    merchant: Mapped[str] = mapped_column(String(60), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))


Index("ix_holds_account", Hold.account_id, Hold.status, Hold.id)
Index("ix_holds_due", Hold.status, Hold.release_at)


class DailyTotal(Base):
    """What a customer moved in one business day, per kind of limit: the counters the daily
    limits and the approval threshold are checked against, in the same statement that adds."""

    __tablename__ = "daily_totals"

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger, default=0)


class Statement(Base):
    """A statement that was produced: who asked, for which account and range, and its totals."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    period_start: Mapped[datetime] = mapped_column(DateTime)
    period_end: Mapped[datetime] = mapped_column(DateTime)
    first_posting_id: Mapped[int | None] = mapped_column(BigInteger)
    last_posting_id: Mapped[int | None] = mapped_column(BigInteger)
    opening_balance: Mapped[int] = mapped_column(BigInteger)
    closing_balance: Mapped[int] = mapped_column(BigInteger)
    total_in: Mapped[int] = mapped_column(BigInteger)
    total_out: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)
    # As printed, so a reprint is identical after a rename; `digest` covers the whole document.
    holder_name: Mapped[str] = mapped_column(String(100), default="")
    account_name: Mapped[str] = mapped_column(String(60), default="")
    digest: Mapped[str] = mapped_column(String(64), default="")


Index("ix_statements_account", Statement.account_id, Statement.id)

__all__ = [
    "Account",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Card",
    "CashDrawer",
    "DailyTotal",
    "Hold",
    "JournalEntry",
    "PendingApproval",
    "Posting",
    "SignInThrottle",
    "Statement",
    "User",
    "UserSession",
]


class BusinessDay(Base):
    """A business date being closed or closed: the batch's report and seal line."""

    __tablename__ = "business_days"
    __table_args__ = (CheckConstraint("status IN ('closing','closed')", name="status"),)

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str] = mapped_column(String(64))
    report: Mapped[str | None] = mapped_column(Text)
    seal_line: Mapped[str | None] = mapped_column(String(200))


class CloseStep(Base):
    """How far one step of one date's close has got: the last row it finished (`cursor`),
    moved by a conditional update in the same transaction as that batch's work."""

    __tablename__ = "close_steps"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[int] = mapped_column(BigInteger)
    done: Mapped[bool] = mapped_column(Boolean)
    items: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    skipped: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class StandingOrder(Base):
    """A customer's recurring transfer: weekly (day = weekday, Monday 0) or monthly (day of
    the month; 31 means the last day)."""

    __tablename__ = "standing_orders"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("frequency IN ('weekly','monthly')", name="frequency"),
        CheckConstraint("status IN ('active','paused','cancelled','finished')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    target_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(String(60))
    amount: Mapped[int] = mapped_column(BigInteger)
    frequency: Mapped[str] = mapped_column(String(8))
    day: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    payments_left: Mapped[int | None] = mapped_column(Integer)
    next_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    last_result: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(DateTime)


Index("ix_standing_orders_owner", StandingOrder.owner_id, StandingOrder.id)
Index("ix_standing_orders_due", StandingOrder.status, StandingOrder.next_due, StandingOrder.id)


class StandingOrderRun(Base):
    """One attempt to pay one due date of an order: paid, skipped (short of funds; retried)
    or missed (retries used up)."""

    __tablename__ = "standing_order_runs"
    __table_args__ = (CheckConstraint("status IN ('paid','skipped','missed')", name="status"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("standing_orders.id"), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    attempt_date: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))


class InterestAccrual(Base):
    """A savings account's interest accrued and not yet posted, exactly: in units of
    1/(10,000 × 365) of a cent, so a day's accrual (balance × rate in basis points) is an
    integer and nothing is ever rounded away; posting rounds half-to-even and carries the
    remainder."""

    __tablename__ = "interest_accruals"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    accrued: Mapped[int] = mapped_column(BigInteger)
    accrued_through: Mapped[date] = mapped_column(Date)
    posted_through: Mapped[date | None] = mapped_column(Date)


class RecentCustomer(Base):
    """The customers a staff user opened lately (the staff home's list): one row per staff
    user and customer, with the time of the latest opening."""

    __tablename__ = "recent_customers"

    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)


Index("ix_recent_customers_staff", RecentCustomer.staff_id, RecentCustomer.opened_at)


class BankSetting(Base):
    """An installation setting the bank changed from its default (`bankapp.settings`): one row
    per setting, the value as JSON. `revision` counts the changes, so a change can say which
    value it replaces (see `services.installation_settings.change_setting`)."""

    __tablename__ = "bank_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(64))
    # The approved request that made the change (none: the local operator's `settings set`).
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("pending_approvals.id"))
