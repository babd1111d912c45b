"""Installation settings: currency, limits, sign-in rules and password-hash cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bankapp.domain.money import DEFAULT_MAX_CENTS
from bankapp.domain.passwords import HashParameters


@dataclass(frozen=True)
class Settings:
    currency: str = "USD"
    bank_name: str = "Bankapp Demo Bank"
    max_amount_cents: int = DEFAULT_MAX_CENTS
    password_min_length: int = 15
    password_max_length: int = 256
    hash_parameters: HashParameters = field(default_factory=HashParameters)
    # Sign-in: after `throttle_after` consecutive failures each further attempt must wait
    # `throttle_base` doubled per failure; after `lockout_after` failures the user is locked.
    throttle_after: int = 3
    throttle_base: timedelta = timedelta(seconds=2)
    lockout_after: int = 5
    lockout_period: timedelta = timedelta(minutes=15)
    # Sessions (OWASP Session Management): locked after this long without a service call,
    # ended this long after sign-in whatever happens.
    session_idle_timeout: timedelta = timedelta(minutes=5)
    session_max_age: timedelta = timedelta(hours=12)
    # Maker-checker: a staff operation that takes a customer's cash in, cash out and
    # transfers out for the business day over this sum waits for a supervisor's approval
    # (the US currency-transaction threshold: a sum per day, not per operation).
    approval_threshold_cents: int = 1_000_000
    credit_limit_min_cents: int = 10_000
    credit_limit_max_cents: int = 5_000_000
    # A teller may approve a credit application up to this limit; above it, an admin.
    teller_credit_approval_max_cents: int = 500_000
    # A customer's own daily limits: check deposits, ATM cash, transfers to other customers.
    check_deposit_daily_limit_cents: int = 500_000
    atm_daily_limit_cents: int = 100_000
    transfer_out_daily_limit_cents: int = 500_000
    # A deposited check is held this long before the money is available (Regulation CC).
    clearing_delay: timedelta = timedelta(days=2)
    # A card authorisation not settled within this is released.
    authorisation_lifetime: timedelta = timedelta(days=7)
    # Cash drawers: opening cash above this, or a close counted off by more than the
    # tolerance, needs a supervisor.
    drawer_opening_cash_max_cents: int = 500_000
    drawer_tolerance_cents: int = 1_000
    # Close of business: savings interest per account kind (basis points a year, simple daily
    # accrual on actual/365, posted on the month's last day), and how many further business
    # days a standing order short of funds is tried again before it is marked missed.
    interest_rates_bp: tuple[tuple[str, int], ...] = (("savings", 250),)
    standing_order_retry_days: int = 3

    def interest_rate_bp(self, kind: str) -> int:
        return dict(self.interest_rates_bp).get(kind, 0)
