"""`BankCommands`, the command palette's global commands: go to an account (by name or
number), copy its number, its statements, a new transfer, lock, log out, switch theme.

The current screen's own actions come from the app's `get_system_commands`, so the palette
lists both. Nothing is offered while the screen is locked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountView, Role
from screens.account import AccountScreen
from screens.clipboard import copy_account_number
from screens.messages import LockRequested, SignOutRequested
from screens.payment import PaymentScreen
from screens.session import Session, session_of
from screens.staff.totp import SecondFactorSetupScreen
from screens.statements import StatementScreen


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[], object]
    number: str = ""  # an account number the command is about, for searches by digits


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class BankCommands(Provider):
    """Global commands for whoever is signed in; only the theme before sign-in."""

    accounts: list[AccountView]

    @property
    def session(self) -> Session:
        return session_of(self.app)

    async def startup(self) -> None:
        """Load the customer's accounts once per palette opening, off the UI thread."""
        self.accounts = []
        session = self.session
        if session.signed_in is None or session.locked or session.actor.is_staff:
            return
        try:
            self.accounts = await asyncio.to_thread(
                session.bank.accounts.list_accounts, session.actor
            )
        except Exception:  # the palette still offers the other commands
            self.accounts = []

    def commands(self) -> list[Command]:
        session = self.session
        found: list[Command] = []
        signed = session.signed_in
        if signed is not None and not session.locked:
            for account in self.accounts:
                found.extend(self._account_commands(account))
            if session.actor.role == Role.CUSTOMER:
                found.append(
                    Command(
                        "New transfer",
                        "Move money to one of your accounts or another customer's",
                        self._new_transfer,
                    )
                )
            if session.actor.role == Role.CUSTOMER and not signed.user.totp_enabled:
                found.append(
                    Command(
                        "Set up two-step sign-in",
                        "Add an authenticator-app code (TOTP) to your sign-in",
                        self._set_up_second_factor,
                    )
                )
            found.append(
                Command(
                    "Lock screen",
                    "Hide the screen until your password is typed again (F8)",
                    self._lock,
                )
            )
            found.append(
                Command(
                    "Log out",
                    "Sign out and return to the sign-in screen",
                    self._log_out,
                )
            )
        found.append(
            Command(
                "Switch theme",
                "Pick a colour theme; it is remembered (F9)",
                self.app.action_change_theme,
            )
        )
        return found

    def _account_commands(self, account: AccountView) -> list[Command]:
        label = f"{mask_account_number(account.number)} {account.name}"
        return [
            Command(
                f"Go to account {label}",
                "Open its balance and history",
                partial(self._open_account, account.id),
                account.number,
            ),
            Command(
                f"Copy account number {label}",
                "Put the full number on the clipboard",
                partial(copy_account_number, self.app, account),
                account.number,
            ),
            Command(
                f"Statements for {label}",
                "View or export a statement",
                partial(self._open_statements, account.id),
                account.number,
            ),
        ]

    def _open_account(self, account_id: int) -> None:
        self.app.push_screen(AccountScreen(account_id))

    def _open_statements(self, account_id: int) -> None:
        self.app.push_screen(StatementScreen(account_id))

    def _new_transfer(self) -> None:
        self.app.push_screen(PaymentScreen("transfer", None))

    def _set_up_second_factor(self) -> None:
        self.app.push_screen(SecondFactorSetupScreen())

    def _lock(self) -> None:
        self.app.post_message(LockRequested())

    def _log_out(self) -> None:
        self.app.post_message(SignOutRequested())

    async def discover(self) -> Hits:
        for command in self.commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        """Fuzzy match on the names; four or more digits also match inside account numbers."""
        matcher = self.matcher(query)
        digits = _digits(query)
        for command in self.commands():
            by_number = len(digits) >= 4 and digits in _digits(command.number)
            score = 1.0 if by_number else matcher.match(command.name)
            if score > 0:
                title = command.name if by_number else matcher.highlight(command.name)
                yield Hit(score, title, command.run, help=command.help)
