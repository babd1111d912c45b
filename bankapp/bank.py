"""The composition root of the service layer: one `Bank` per database, shared by CLI and UI."""

from __future__ import annotations

from sqlalchemy import Engine

from bankapp.clock import Clock, SystemClock
from bankapp.services.accounts import AccountService
from bankapp.services.approvals import ApprovalService
from bankapp.services.audit_log import AuditLogService
from bankapp.services.auth import AuthService
from bankapp.services.cards import CardService
from bankapp.services.chain_walk import ChainReport, verify_chain
from bankapp.services.changes import ChangeService
from bankapp.services.clearing import ClearingService
from bankapp.services.close_day import CloseOfBusiness
from bankapp.services.context import ServiceContext
from bankapp.services.customers import CustomerService
from bankapp.services.drawers import DrawerService
from bankapp.services.history import HistoryService
from bankapp.services.holds import HoldService
from bankapp.services.installation_settings import SettingsService
from bankapp.services.live_settings import LiveSettings
from bankapp.services.operator import OperatorService
from bankapp.services.payments import PaymentService
from bankapp.services.reports import ReportService
from bankapp.services.staff import StaffService
from bankapp.services.standing_orders import StandingOrderService
from bankapp.services.statements import StatementService
from bankapp.services.verify import VerifyReport, verify_ledger
from bankapp.settings import Settings
from bankapp.storage.database import Database
from bankapp.storage.engine import make_engine
from bankapp.storage.keyring import check_on_open, installation_ring
from bankapp.storage.locations import database_url_from_env
from bankapp.storage.schema import require_current_schema, upgrade_to_head


class Bank:
    """Every service, wired to one database, clock and settings."""

    def __init__(
        self, engine: Engine, *, clock: Clock | None = None, settings: Settings | None = None
    ) -> None:
        self.keys = installation_ring(engine)
        self.db = Database(engine, clock or SystemClock(), self.keys)
        self.ctx = ServiceContext(self.db, LiveSettings(settings or Settings()))
        self.auth = AuthService(self.ctx)
        self.accounts = AccountService(self.ctx)
        self.payments = PaymentService(self.ctx)
        self.history = HistoryService(self.ctx)
        self.cards = CardService(self.ctx, self.keys.current, all_keys=self.keys.all_keys)
        self.drawers = DrawerService(self.ctx)
        self.approvals = ApprovalService(self.ctx)
        self.holds = HoldService(self.ctx)
        self.clearing = ClearingService(self.ctx)
        self.totp = self.auth.totp
        self.operator = OperatorService(self.ctx, self.totp)
        self.customers = CustomerService(self.ctx)
        self.staff = StaffService(self.ctx)
        self.reports = ReportService(self.ctx)
        self.audit_log = AuditLogService(self.ctx)
        self.statements = StatementService(self.ctx)
        self.standing_orders = StandingOrderService(self.ctx)
        self.close_of_business = CloseOfBusiness(self.ctx)
        self.changes = ChangeService(self.ctx)
        self.bank_settings = SettingsService(self.ctx)

    @property
    def settings(self) -> Settings:
        """The installation settings now: `settings` given here (default: the code's) with
        the changes kept in the database."""
        return self.ctx.settings

    @property
    def clock(self) -> Clock:
        return self.db.clock

    def verify(self, *, since_seal: bool = False) -> VerifyReport:
        """Check the ledger and the audit chain (what `bankapp verify` prints, through
        `bankapp.checks`); since_seal checks only what happened after the last seal, which
        is itself checked."""
        return self.db.read(lambda tx: verify_ledger(tx.conn, self.keys, since_seal=since_seal))

    def verify_audit(self) -> ChainReport:
        return self.db.read(lambda tx: verify_chain(tx.conn, self.keys))

    def close(self) -> None:
        self.db.dispose()


def open_bank(
    url: str | None = None,
    *,
    clock: Clock | None = None,
    settings: Settings | None = None,
    create: bool = False,
    check_key: bool = True,
) -> Bank:
    """Open the bank at `url` (or BANKAPP_DATABASE_URL, or data/bank.db).

    With `create`, a missing database is created and an old one upgraded; otherwise the
    database must exist at this version's schema, or a typed StorageError says what to do.
    A database that names its installation key refuses a process without that key, unless
    `check_key` is off (`bankapp verify` then reports what it could not check).
    """
    engine = make_engine(database_url_from_env(url), create=create)
    try:
        if create:
            upgrade_to_head(engine)
        else:
            require_current_schema(engine)
        bank = Bank(engine, clock=clock, settings=settings)
        if check_key:
            bank.db.read(lambda tx: check_on_open(tx.conn, bank.keys))
    except Exception:
        engine.dispose()
        raise
    return bank
