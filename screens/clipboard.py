"""Copying an account number to the clipboard, for the `y` key and the command palette."""

from __future__ import annotations

from typing import TypeVar

from textual.app import App

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.types import AccountView

ReturnType = TypeVar("ReturnType")


def copy_account_number(app: App[ReturnType], account: AccountView) -> None:
    """Put the full number on the clipboard (OSC 52) and say which account it was."""
    app.copy_to_clipboard(account.number)
    app.notify(
        f"Account number {mask_account_number(account.number)} ({account.name}) "
        "copied to the clipboard.",
        title="Copied",
        markup=False,
    )
