"""What every service needs: the database, the settings and the password hasher."""

from __future__ import annotations

from dataclasses import dataclass

from bankapp.domain.money import check_cents, format_cents
from bankapp.domain.passwords import PasswordHashing
from bankapp.settings import Settings
from bankapp.storage.database import Database


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    settings: Settings
    hashing: PasswordHashing

    def money(self, cents: int) -> str:
        return format_cents(cents, self.settings.currency)

    def check_amount(
        self, amount: object, *, field: str = "amount", allow_zero: bool = False
    ) -> int:
        """`check_cents` under this installation's currency and per-operation limit."""
        return check_cents(
            amount,
            max_cents=self.settings.max_amount_cents,
            currency=self.settings.currency,
            field=field,
            allow_zero=allow_zero,
        )
