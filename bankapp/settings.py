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
    # Maker-checker: staff operations above this amount wait for an admin's approval.
    approval_threshold_cents: int = 1_000_000
    credit_limit_min_cents: int = 10_000
    credit_limit_max_cents: int = 5_000_000
