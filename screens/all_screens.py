"""Imports every screen: for the keymap check (every binding id is known) and to load them
in a worker while the sign-in screen is shown, so none is imported on the UI thread later.
The sign-in screen itself imports only what it needs to paint."""

from __future__ import annotations

import screens.change_password
import screens.commands
import screens.dashboard
import screens.login
import screens.modals.help
import screens.modals.idle_lock
import screens.staff.home
import screens.staff.totp

__all__ = ["screens"]
