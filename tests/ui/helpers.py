"""Pilot helpers shared by the UI tests: settle workers, sign in, read the database."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from bankapp.bank import Bank
from bankapp.demo import DEMO_PASSWORD
from bankapp.storage.models import JournalEntry, Posting

SIZE = (120, 34)


def pilot_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async pilot test body in a fresh event loop (no async pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def settle(pilot: Pilot[object]) -> None:
    """Let every worker finish and every message it posted be handled: wait until several
    consecutive rounds start no new worker (a reply may push a screen that loads more)."""
    quiet = 0
    for _ in range(200):
        with contextlib.suppress(WorkerCancelled):  # a stale load replaced by a newer one
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        quiet = 0 if len(pilot.app.workers) else quiet + 1
        if quiet >= 5:
            break
    await pilot.wait_for_scheduled_animations()  # the last layout and repaint, too
    await pilot.pause()


async def sign_in(pilot: Pilot[object], username: str, password: str = DEMO_PASSWORD) -> None:
    await settle(pilot)
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)


async def sign_in_staff(pilot: Pilot[object], username: str) -> None:
    """Sign in as a demo staff user: password, then the TOTP code of the demo key at the
    bank's (frozen) time."""
    import pyotp

    from bankapp.demo import DEMO_TOTP_SECRETS
    from bankapp.services.totp import unix_step

    await sign_in(pilot, username)
    bank = pilot.app.bank  # type: ignore[attr-defined]
    code = pyotp.TOTP(DEMO_TOTP_SECRETS[username]).generate_otp(unix_step(bank.clock.now()))
    await pilot.press(*code, "enter")
    await settle(pilot)


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type `text` key by key (Pilot maps punctuation to key names)."""
    await pilot.press(*text)


def entry_count(bank: Bank) -> int:
    table = JournalEntry.__table__
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(select(func.count()).select_from(table)).scalar_one()
        )
    )


def posting_count(bank: Bank) -> int:
    table = Posting.__table__
    return int(
        bank.db.read(
            lambda tx: tx.conn.execute(select(func.count()).select_from(table)).scalar_one()
        )
    )
