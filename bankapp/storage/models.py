"""The tables, as SQLAlchemy Core: users, accounts, the ledger, audit, cards, drawers, approvals.

Core tables, not ORM classes: every statement in bankapp is Core, and importing the ORM
(with the declarative classes it builds) cost each process about 0.2 s before it did any
work: a quarter of `bankapp verify --since-seal`. The migrations (Alembic) are what makes a
database; `tests/storage/test_schema.py` proves these tables match them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
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


metadata = MetaData(naming_convention=NAMING)


# Kept append-only by database triggers (migration 0004): corrections are new rows.
APPEND_ONLY_TABLES = ("journal_entries", "postings", "audit_events", "seals")
# Written only by triggers on the books (migration 0007), as their owner: the application
# role reads them and never writes one.
DERIVED_TABLES = ("posting_search",)


User = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("username", String(32), unique=True, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("full_name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(32), default="", nullable=False),
    Column("address", String(300), default="", nullable=False),
    Column("status", String(16), default="active", nullable=False),
    Column("must_change_password", Boolean, default=False, nullable=False),
    Column("last_login_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    # Second factor (RFC 6238): the secret is stored encrypted with the installation key.
    Column("totp_secret_enc", String(400)),
    Column("totp_enabled", Boolean, default=False, nullable=False),
    Column("totp_last_step", BigInteger),
    Column("recovery_codes", Text),
    # Four eyes on people: who created the user and who last changed their access; neither
    # may approve a request that user makes (users.created_by is None: the local operator).
    Column("created_by", ForeignKey("users.id")),
    Column("changed_by", ForeignKey("users.id")),
    # The last password reset by staff, shown to the user at their next sign-in.
    Column("password_reset_by", ForeignKey("users.id")),
    Column("password_reset_at", DateTime),
    CheckConstraint("role IN ('customer','teller','admin')", name="role"),
)


Index("ix_users_full_name", User.c.full_name)
Index("ix_users_email", User.c.email)


# Failed sign-ins per name typed, known user or not, so throttling and lockout behave
# the same for both and reveal nothing about who exists (NIST SP 800-63B 5.2.2).
SignInThrottle = Table(
    "sign_in_throttle",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("failures", Integer, default=0, nullable=False),
    Column("last_failed_at", DateTime),
    Column("locked_until", DateTime),
)


# A server-side session: only the SHA-256 of its random token is stored. `state` says
# what the sign-in still owes; only an active session may act.
UserSession = Table(
    "sessions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("token_hash", String(64), unique=True, nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("state", String(32), nullable=False),
    Column("method", String(24), default="password", nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("end_reason", String(32), default="", nullable=False),
    # A stronger hash of the password computed at sign-in, stored once the sign-in completes.
    Column("pending_password_hash", String(200)),
    CheckConstraint(
        "state IN ('needs_second_factor','must_change_password',"
        "'must_enrol_second_factor','active','locked','ended')",
        name="state",
    ),
)


Index("ix_sessions_user", UserSession.c.user_id, UserSession.c.state)


# A ledger account: a customer's checking/savings/business/credit-card account or an
# internal one (bank cash, a teller's drawer, merchant settlement, over/short).
#
# `balance` is signed from the holder's point of view and always equals the sum of the
# account's postings; `held` is the sum of its active holds. The available balance,
# `balance - held`, may go down to `-credit_limit`; internal accounts are unbounded.
Account = Table(
    "accounts",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("number", String(34), unique=True, nullable=False),
    Column("owner_id", ForeignKey("users.id")),
    Column("kind", String(16), nullable=False),
    Column("name", String(60), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("balance", BigInteger, default=0, nullable=False),
    Column("held", BigInteger, default=0, nullable=False),
    Column("credit_limit", BigInteger, default=0, nullable=False),
    Column("unbounded", Boolean, default=False, nullable=False),
    Column("status", String(16), default="open", nullable=False),
    Column("internal_code", String(64), unique=True),
    Column("opened_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    CheckConstraint(
        "kind IN ('checking','savings','business','credit_card','internal')", name="kind"
    ),
    CheckConstraint("status IN ('open','frozen','closed')", name="status"),
    CheckConstraint("credit_limit >= 0", name="credit_limit"),
    CheckConstraint("held >= 0", name="held"),
)


Index("ix_accounts_owner", Account.c.owner_id, Account.c.id)


# One business event that moves money; its postings sum to zero.
JournalEntry = Table(
    "journal_entries",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("memo", String(200), default="", nullable=False),
    Column("actor_id", ForeignKey("users.id")),
    Column("created_at", DateTime, nullable=False),
    # "u<user id>:<key>" for a caller's key, "sys:<key>" for the bank's own (approvals, batches).
    Column("idempotency_key", String(120), unique=True),
    Column("request_hash", String(64)),
    # The card a purchase or card payment was made with (no foreign key: cards come later).
    Column("card_id", BigInteger),
)


Index("ix_journal_entries_card", JournalEntry.c.card_id, JournalEntry.c.id)
# The few entries between the bank's own accounts (drawer opening cash and close), which
# verify ties to each drawer: a partial index holds only them (revision 0009).
BANK_ENTRIES = text(
    "kind IN (" + ", ".join(f"'{kind}'" for kind in entry_kinds.BANK_ENTRY_KINDS) + ")"
)
Index(
    "ix_journal_entries_bank_kinds",
    JournalEntry.c.kind,
    JournalEntry.c.id,
    sqlite_where=BANK_ENTRIES,
    postgresql_where=BANK_ENTRIES,
)


# One leg of a journal entry: a signed amount on one account and its balance afterwards.
Posting = Table(
    "postings",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("entry_id", ForeignKey("journal_entries.id"), nullable=False),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", DateTime, nullable=False),
)


# Verify streams these without touching the table (revision 0006); they also serve history.
Index(
    "ix_postings_account_running",
    Posting.c.account_id,
    Posting.c.id,
    Posting.c.amount,
    Posting.c.balance_after,
)
# Covers a statement's totals (amount in the index): no table row is read for them.
Index(
    "ix_postings_account_time",
    Posting.c.account_id,
    Posting.c.created_at,
    Posting.c.id,
    Posting.c.amount,
)
Index("ix_postings_entry_legs", Posting.c.entry_id, Posting.c.account_id, Posting.c.amount)


# What history filters seek on, one row per posting, written by a trigger on `postings`
# in the posting's transaction (migration 0007): its account, its entry's kind and its
# size. Derived from the ledger, so no foreign keys; a page rechecks what it finds.
PostingSearch = Table(
    "posting_search",
    metadata,
    Column("posting_id", BigId, primary_key=True, autoincrement=False),
    Column("account_id", BigInteger, nullable=False),
    Column("entry_kind", String(32), nullable=False),
    Column("abs_amount", BigInteger, nullable=False),
)


# Newest first within one account and one kind, or one range of amounts.
Index(
    "ix_posting_search_kind",
    PostingSearch.c.account_id,
    PostingSearch.c.entry_kind,
    PostingSearch.c.posting_id,
)
Index(
    "ix_posting_search_amount",
    PostingSearch.c.account_id,
    PostingSearch.c.abs_amount,
    PostingSearch.c.posting_id,
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


# Append-only audit trail; each row's hash covers its content and the previous hash.
AuditEvent = Table(
    "audit_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("seq", BigInteger, unique=True, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor_id", BigInteger),
    Column("actor_name", String(64), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    # The link: HMAC-SHA256 under the chain key (plain SHA-256 before revision 0004).
    Column("hash", String(64), nullable=False),
    # A money event names its journal entry and every leg ("account:amount;..." sorted), so
    # verify can prove each entry still moves exactly what was recorded, between the same
    # accounts. Each entry has exactly one such event.
    Column("entry_id", BigInteger),
    Column("legs", Text),
    # Which installation key linked this event (the start of its fingerprint); None before
    # revision 0004. Old keys stay in the key file after a rotation, so old links still check.
    Column("key_id", String(16)),
)


Index("ix_audit_events_at", AuditEvent.c.at)
Index("ix_audit_events_actor", AuditEvent.c.actor_id, AuditEvent.c.seq)
Index("ix_audit_events_kind", AuditEvent.c.kind, AuditEvent.c.seq)
Index("ix_audit_events_subject", AuditEvent.c.subject, AuditEvent.c.seq)
Index("ix_audit_events_entry", AuditEvent.c.entry_id, unique=True)


# One row: which installation key this database belongs to (a fingerprint, never the
# key), and where the unkeyed part of the audit chain (before revision 0004) ends. `tag`
# is an HMAC under the chain key over the rest of the row, so the boundary cannot move.
Installation = Table(
    "installation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key_fingerprint", String(64)),
    Column("legacy_until_seq", BigInteger, nullable=False),
    Column("legacy_until_entry", BigInteger, nullable=False),
    Column("registered_at", DateTime),
    Column("tag", String(64)),
    CheckConstraint("id = 1", name="single_row"),
)


# A checkpoint of the books: the audit chain's head at `seq`, and the count and sum of
# postings per account kind up to `last_posting_id`. `line` is what a supervisor writes
# down; it proves later that nothing up to the seal changed. Append-only.
Seal = Table(
    "seals",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("business_date", Date, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("head", String(64), nullable=False),
    Column("last_posting_id", BigInteger, nullable=False),
    Column("summary", Text, nullable=False),
    Column("line", String(200), nullable=False),
    Column("sealed_at", DateTime, nullable=False),
    Column("sealed_by", String(64), nullable=False),
)


Index("ix_seals_seq", Seal.c.seq)


# A single row holding the chain's last sequence number and hash; locking it serialises
# appends so concurrent writers (several PostgreSQL workstations) cannot fork the chain.
AuditHead = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)


# A payment card. Only the last four digits and a keyed hash of the number are kept; the
# CVV is derived from the number with the installation key when needed, never stored.
Card = Table(
    "cards",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("owner_id", ForeignKey("users.id"), nullable=False),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("pan_hash", String(64), unique=True, nullable=False),
    Column("expiry_year", Integer, nullable=False),
    Column("expiry_month", Integer, nullable=False),
    Column("cardholder_name", String(100), nullable=False),
    Column("status", String(16), default="active", nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("replaces_id", ForeignKey("cards.id")),
    # Consecutive purchases refused for a wrong CVV or expiry date; the third freezes it.
    Column("cvv_failures", Integer, default=0, nullable=False),
    # Frozen by the bank (staff, or the wrong-details rule): only staff lift it or replace it.
    Column("frozen_by_bank", Boolean, default=False, nullable=False),
    CheckConstraint("kind IN ('debit','credit')", name="kind"),
    CheckConstraint(
        "status IN ('active','frozen','lost','stolen','cancelled','replaced')", name="status"
    ),
)


Index("ix_cards_owner", Card.c.owner_id, Card.c.id)


# A teller's till for one session: opening cash in, cash movements, counted at close.
CashDrawer = Table(
    "cash_drawers",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("teller_id", ForeignKey("users.id"), nullable=False),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("status", String(8), default="open", nullable=False),
    # The column keeps the name migration 0001 gave it; Core and the ORM know it by `key`.
    Column("opening_float", BigInteger, key="opening_cash", nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("expected_cash", BigInteger),
    Column("counted_cash", BigInteger),
    Column("difference", BigInteger),
    # `closing`: counted with a difference over the tolerance, waiting for a supervisor.
    CheckConstraint("status IN ('open','closing','closed')", name="status"),
)


Index("ix_cash_drawers_teller", CashDrawer.c.teller_id, CashDrawer.c.status)


# A maker-checker item: an operation that waits for a second person's approval.
PendingApproval = Table(
    "pending_approvals",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("amount", BigInteger, default=0, nullable=False),
    Column("account_id", ForeignKey("accounts.id")),
    Column("maker_id", ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("status", String(16), default="pending", nullable=False),
    Column("checker_id", ForeignKey("users.id")),
    Column("decided_at", DateTime),
    Column("reason", String(200), default="", nullable=False),
    Column("entry_id", ForeignKey("journal_entries.id")),
    Column("idempotency_key", String(120), unique=True),
    # The drawer a cash request was taken at: approval posts against it, and it cannot close
    # while the request waits.
    Column("drawer_id", ForeignKey("cash_drawers.id")),
    # The user a request about people is for (a new staff user, a reset, a role).
    Column("target_user_id", ForeignKey("users.id")),
    # What the checker decided where it may differ from what was asked (a credit limit).
    Column("decided_amount", BigInteger),
    # When what the approval allows was used (a credit card issued from an application).
    Column("consumed_at", DateTime),
    CheckConstraint("status IN ('pending','approved','rejected','failed','voided')", name="status"),
)


Index("ix_pending_approvals_status", PendingApproval.c.status, PendingApproval.c.id)
Index("ix_pending_approvals_drawer", PendingApproval.c.drawer_id, PendingApproval.c.status)


# Money reserved on an account without moving it (two-phase, as TigerBeetle's pending
# transfers): an uncleared deposit, a card authorisation, a staff hold. Resolved at most once:
# released (or cleared), expired, captured (posted) or returned.
Hold = Table(
    "holds",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", String(200), default="", nullable=False),
    Column("status", String(16), default="held", nullable=False),
    Column("created_by", ForeignKey("users.id")),
    Column("created_at", DateTime, nullable=False),
    # When it ends by itself: a deposit clears, an authorisation expires.
    Column("release_at", DateTime),
    Column("resolved_at", DateTime),
    Column("resolved_by", ForeignKey("users.id")),
    # The deposit it holds back, or the purchase entry that captured it.
    Column("entry_id", ForeignKey("journal_entries.id")),
    Column("card_id", ForeignKey("cards.id")),
    Column("merchant", String(60), default="", nullable=False),
    Column("idempotency_key", String(120), unique=True),
    Column("request_hash", String(64)),
    CheckConstraint("amount > 0", name="amount"),
    CheckConstraint("kind IN ('deposit','card','staff')", name="kind"),
    CheckConstraint("status IN ('held','released','expired','captured','returned')", name="status"),
)


Index("ix_holds_account", Hold.c.account_id, Hold.c.status, Hold.c.id)
Index("ix_holds_due", Hold.c.status, Hold.c.release_at)


# What a customer moved in one business day, per kind of limit: the counters the daily
# limits and the approval threshold are checked against, in the same statement that adds.
DailyTotal = Table(
    "daily_totals",
    metadata,
    Column("customer_id", ForeignKey("users.id"), primary_key=True),
    Column("business_date", Date, primary_key=True),
    Column("kind", String(24), primary_key=True),
    Column("total", BigInteger, default=0, nullable=False),
)


# A statement that was produced: who asked, for which account and range, and its totals.
Statement = Table(
    "statements",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("requested_by", ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("period_start", DateTime, nullable=False),
    Column("period_end", DateTime, nullable=False),
    Column("first_posting_id", BigInteger),
    Column("last_posting_id", BigInteger),
    Column("opening_balance", BigInteger, nullable=False),
    Column("closing_balance", BigInteger, nullable=False),
    Column("total_in", BigInteger, nullable=False),
    Column("total_out", BigInteger, nullable=False),
    Column("line_count", Integer, nullable=False),
    # As printed, so a reprint is identical after a rename; `digest` covers the whole document.
    Column("holder_name", String(100), default="", nullable=False),
    Column("account_name", String(60), default="", nullable=False),
    Column("digest", String(64), default="", nullable=False),
)


Index("ix_statements_account", Statement.c.account_id, Statement.c.id)

__all__ = [
    "Account",
    "AuditEvent",
    "AuditHead",
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
    "metadata",
]


# A business date being closed or closed: the batch's report and seal line.
BusinessDay = Table(
    "business_days",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("closed_by", String(64), nullable=False),
    Column("report", Text),
    Column("seal_line", String(200)),
    CheckConstraint("status IN ('closing','closed')", name="status"),
)


# How far one step of one date's close has got: the last row it finished (`cursor`),
# moved by a conditional update in the same transaction as that batch's work.
CloseStep = Table(
    "close_steps",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("step", String(32), primary_key=True),
    Column("cursor", BigInteger, nullable=False),
    Column("done", Boolean, nullable=False),
    Column("items", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("skipped", BigInteger, nullable=False),
    Column("finished_at", DateTime),
)


# A customer's recurring transfer: weekly (day = weekday, Monday 0) or monthly (day of
# the month; 31 means the last day).
StandingOrder = Table(
    "standing_orders",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("owner_id", ForeignKey("users.id"), nullable=False),
    Column("source_account_id", ForeignKey("accounts.id"), nullable=False),
    Column("target_account_id", ForeignKey("accounts.id"), nullable=False),
    Column("name", String(60), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("frequency", String(8), nullable=False),
    Column("day", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("payments_left", Integer),
    Column("next_due", Date),
    Column("status", String(12), nullable=False),
    Column("last_result", String(200), nullable=False),
    Column("created_by", BigId),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint("amount > 0", name="amount"),
    CheckConstraint("frequency IN ('weekly','monthly')", name="frequency"),
    CheckConstraint("status IN ('active','paused','cancelled','finished')", name="status"),
)


Index("ix_standing_orders_owner", StandingOrder.c.owner_id, StandingOrder.c.id)
Index(
    "ix_standing_orders_due", StandingOrder.c.status, StandingOrder.c.next_due, StandingOrder.c.id
)


# One attempt to pay one due date of an order: paid, skipped (short of funds; retried)
# or missed (retries used up).
StandingOrderRun = Table(
    "standing_order_runs",
    metadata,
    Column("order_id", ForeignKey("standing_orders.id"), primary_key=True),
    Column("due_date", Date, primary_key=True),
    Column("attempt_date", Date, primary_key=True),
    Column("status", String(8), nullable=False),
    Column("entry_id", BigInteger),
    Column("reason", String(200), nullable=False),
    CheckConstraint("status IN ('paid','skipped','missed')", name="status"),
)


# A savings account's interest accrued and not yet posted, exactly: in units of
# 1/(10,000 × 365) of a cent, so a day's accrual (balance × rate in basis points) is an
# integer and nothing is ever rounded away; posting rounds half-to-even and carries the
# remainder.
InterestAccrual = Table(
    "interest_accruals",
    metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("accrued", BigInteger, nullable=False),
    Column("accrued_through", Date, nullable=False),
    Column("posted_through", Date),
)


# The customers a staff user opened lately (the staff home's list): one row per staff
# user and customer, with the time of the latest opening.
RecentCustomer = Table(
    "recent_customers",
    metadata,
    Column("staff_id", ForeignKey("users.id"), primary_key=True),
    Column("customer_id", ForeignKey("users.id"), primary_key=True),
    Column("opened_at", DateTime, nullable=False),
)


Index("ix_recent_customers_staff", RecentCustomer.c.staff_id, RecentCustomer.c.opened_at)


# An installation setting the bank changed from its default (`bankapp.settings`): one row
# per setting, the value as JSON. `revision` counts the changes, so a change can say which
# value it replaces (see `services.installation_settings.change_setting`).
BankSetting = Table(
    "bank_settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("changed_by", String(64), nullable=False),
    # The approved request that made the change (none: the local operator's `settings set`).
    Column("approval_id", ForeignKey("pending_approvals.id")),
)
