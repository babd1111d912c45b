"""What every service needs: the database, the settings and the password hasher."""

from __future__ import annotations

from dataclasses import dataclass

from bankapp.money import format_cents
from bankapp.services.passwords import PasswordHashing
from bankapp.settings import Settings
from bankapp.storage.database import Database


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    settings: Settings
    hashing: PasswordHashing

    def money(self, cents: int) -> str:
        return format_cents(cents, self.settings.currency)
