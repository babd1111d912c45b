"""Pilot helpers shared by the UI tests: settle the UI, sign in, script what the user does
step by step, take a snapshot, reach a screen."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import random
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

from bankapp.bank import Bank
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.types import Actor
from bankapp.storage.process_options import CONFIG as CONFIG_ENV
from screens.app import make_app
from tests.fixtures import acting_as

SIZE = (120, 34)

Snap = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


def snap(
    snap_compare: Snap, bank: Bank, run_before: RunBefore, *, size: tuple[int, int] = SIZE
) -> bool:
    """Compare the app built by the composition root, after `run_before`, with its SVG."""
    return snap_compare(make_app(bank), terminal_size=size, run_before=run_before)


def pilot_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async pilot test body in a fresh event loop (no async pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def _visible_screens(app: Any) -> list[Any]:
    """The top screen and every screen drawn behind it (under a modal)."""
    return [*app._background_screens, app.screen]


def _nodes(app: Any) -> list[Any]:
    return [app, *(node for s in _visible_screens(app) for node in s.walk_children(with_self=True))]


def _unsettled(app: Any) -> list[str]:
    """Why the UI is not ready for a snapshot yet (empty when it is). Textual's own
    `pilot.pause()` only waits for the TOP screen's message queues and only flushes the top
    screen's layout; a screen behind a modal is laid out by its own update timer, which a
    loaded machine runs late. So look at every visible screen: running workers, queued
    messages, pending layout / repaint, and the screen's own `ready` flag when it has one."""
    reasons = []
    running = [w for w in app.workers if not w.is_finished]
    if running:
        reasons.append(f"workers {[w.name for w in running]}")
    queued = [node for node in _nodes(app) if node._message_queue.qsize()]
    if queued:
        reasons.append(f"messages for {queued[:3]}")
    for screen in _visible_screens(app):
        if screen._layout_required or screen._scroll_required or screen._recompose_required:
            reasons.append(f"layout of {screen}")
    top = app.screen
    if top._repaint_required or top._dirty_widgets:  # a screen behind hands its repaint up
        reasons.append(f"repaint of {top}")
    # A DataTable measures its columns on its next Idle; call_after_refresh callbacks
    # wait for the screen's idle: neither is a message or a worker.
    stale = [
        node
        for node in _nodes(app)
        if getattr(node, "_require_update_dimensions", False)
        or getattr(node, "_updated_cells", None)
    ]
    if stale:
        reasons.append(f"columns of {stale[:3]}")
        for node in stale:
            node.check_idle()
    if any(screen._callbacks for screen in _visible_screens(app)):
        reasons.append("after-refresh callbacks")
    for screen in _visible_screens(app):
        if not getattr(screen, "ready", True):
            reasons.append(f"{screen} not ready")
    return reasons


async def _drain(app: Any) -> None:
    """Wait until every node of every visible screen (and the app) has handled the messages
    queued before this call (what `Pilot._wait_for_screen` does for the top screen only)."""
    waits = []
    for node in _nodes(app):
        done = asyncio.Event()
        if node.call_later(done.set):
            waits.append(done.wait())
    if waits:
        await asyncio.wait_for(asyncio.gather(*waits), timeout=60)


async def settle(pilot: Pilot[object]) -> None:
    """Wait, without sleeping, until the UI is quiescent: no worker running, no message
    queued on any visible screen, no layout or repaint pending (behind a modal too), every
    screen that says whether it is `ready` ready — for several consecutive rounds, because a
    reply may push a screen that loads more. Fails loudly if it never gets there."""
    app: Any = pilot.app
    quiet = 0
    for _ in range(300):
        with contextlib.suppress(WorkerCancelled):  # a stale load replaced by a newer one
            await app.workers.wait_for_complete()
        await _drain(app)
        for screen in _visible_screens(app):
            screen._on_timer_update()  # lay out and paint now, not when its timer runs
        await pilot.pause()
        quiet = 0 if _unsettled(app) else quiet + 1
        if quiet >= 3:
            break
    else:
        raise AssertionError(f"the UI never settled: {_unsettled(app)}")
    await pilot.wait_for_scheduled_animations()  # the last layout and repaint, too
    # A DataTable whose rows arrived while the machine was busy can keep a header line
    # rendered with the old column widths in its render cache (seen under load: header
    # "Account  Name  Type" squeezed above full-width rows). Repaint from the current state.
    for node in _nodes(app):
        if isinstance(node, DataTable):
            node._clear_caches()
        if isinstance(node, Widget):
            node.refresh()
    await pilot.pause()
    for screen in _visible_screens(app):
        screen._on_timer_update()
    await pilot.pause()


async def sign_in(pilot: Pilot[object], username: str, password: str = DEMO_PASSWORD) -> None:
    await settle(pilot)
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)


async def sign_in_staff(pilot: Pilot[object], username: str) -> None:
    """Sign in as a demo staff user: password, then the TOTP code of the demo key at the
    bank's (frozen) time."""
    import pyotp

    from bankapp.demo.logins import DEMO_TOTP_SECRETS
    from bankapp.services.auth.second_factor import unix_step

    await sign_in(pilot, username)
    bank = pilot.app.bank  # type: ignore[attr-defined]
    code = pyotp.TOTP(DEMO_TOTP_SECRETS[username]).generate_otp(unix_step(bank.clock.now()))
    await pilot.press(*code, "enter")
    await settle(pilot)


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type `text` key by key (Pilot maps punctuation to key names)."""
    await pilot.press(*text)


# -- scripts: what the user does, step by step ----------------------------------------------
# A key press settles the UI after it; typing (`Type`, `Keys(..., settle=False)`) goes straight
# on to the next step, as a user fills in a form before submitting it.

Step = str | Callable[[Pilot[Any]], Awaitable[object]]
"""One thing the user does: a key name (pressed, then the UI settles) or an async callable on
the pilot, such as the steps below, `settle`, or a script made by `steps`."""


class Keys:
    """Press `keys` in one go, then settle; with `settle=False` the next step follows at once,
    as between the fields of a form."""

    def __init__(self, *keys: str, settle: bool = True) -> None:
        self.keys = keys
        self.settle = settle

    async def __call__(self, pilot: Pilot[Any]) -> None:
        await pilot.press(*self.keys)
        if self.settle:
            await settle(pilot)


TAB = Keys("tab", settle=False)
"""To the next field of a form, at once."""


@dataclass(frozen=True)
class Type:
    """Type `text` key by key into the focused field; the next step follows at once."""

    text: str

    async def __call__(self, pilot: Pilot[Any]) -> None:
        await type_text(pilot, self.text)


@dataclass(frozen=True)
class SignIn:
    """Sign in on the first screen (the UI settles before and after)."""

    username: str
    password: str = DEMO_PASSWORD

    async def __call__(self, pilot: Pilot[Any]) -> None:
        await sign_in(pilot, self.username, self.password)


@dataclass(frozen=True)
class SignInStaff:
    """Sign in as a demo staff user, second factor included."""

    username: str

    async def __call__(self, pilot: Pilot[Any]) -> None:
        await sign_in_staff(pilot, self.username)


@dataclass(frozen=True)
class Do:
    """Call `action` on the pilot, then settle unless `settle=False`: for what a key cannot do
    (push a screen, set a widget's value, look at the screen). What it returns is not awaited;
    an async action is a step by itself."""

    action: Callable[[Pilot[Any]], object]
    settle: bool = True

    async def __call__(self, pilot: Pilot[Any]) -> None:
        self.action(pilot)
        if self.settle:
            await settle(pilot)


@dataclass(frozen=True)
class Expect:
    """Check that the top screen is a `screen` (the next step follows at once)."""

    screen: type[Screen[Any]]

    async def __call__(self, pilot: Pilot[Any]) -> None:
        assert isinstance(pilot.app.screen, self.screen), pilot.app.screen


async def play(pilot: Pilot[Any], *script: Step) -> None:
    """Run the steps of `script` in order."""
    for step in script:
        await (Keys(step) if isinstance(step, str) else step)(pilot)


def steps(*script: Step) -> RunBefore:
    """The script as one step: a snapshot's `run_before`, or part of a longer script."""

    async def run(pilot: Pilot[Any]) -> None:
        await play(pilot, *script)

    return run


def enter_each(*texts: str) -> Step:
    """Type each text and press Enter after it, as in a form where Enter moves to the next
    field; the next step follows at once."""
    return steps(*(step for text in texts for step in (Type(text), Keys("enter", settle=False))))


# -- reaching a screen ----------------------------------------------------------------------

open_cards = steps(SignIn("alice"), "c")
"""alice's cards screen."""


def find_customer(name: str) -> Step:
    """From the staff home: F, part of a name, Enter to search, Enter on the first match."""
    return steps(Keys("f", settle=False), Type(name), "enter", "enter")


open_alice = steps(SignInStaff("teller"), find_customer("alice"))
"""A teller finds alice and opens her customer overview."""


async def open_palette(pilot: Pilot[Any], query: str) -> None:
    await play(pilot, "ctrl+p", Type(query), settle, Expect(CommandPalette))


def config_file(text: str) -> Path:
    """Write the test's config.toml where BANKAPP_CONFIG points (a per-test temp path)."""
    path = Path(os.environ[CONFIG_ENV])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- cards ----------------------------------------------------------------------------------


def alice(bank: Bank) -> Actor:
    return bank.auth.login("alice", DEMO_PASSWORD).actor


def new_credit_card(bank: Bank) -> IssuedCard:
    """A new credit card of alice's: she applies, the demo admin approves, she takes it."""
    bank.cards.rng = random.Random(5)
    application = bank.cards.apply_for_credit(alice(bank), 150_000)
    bank.approvals.approve(acting_as(bank, "admin"), application.id)
    return bank.cards.issue_credit(alice(bank), application.id)


def purchase_form(card: IssuedCard, cvv: str) -> Step:
    """B on the highlighted card, and its purchase form filled in: $12.50 at Corner Shop with
    the card's number and `cvv` (the expiry is suggested)."""
    return steps(
        "b",
        Type("Corner Shop"),
        TAB,
        Type("12.50"),
        TAB,
        Type(card.pan),
        Keys("tab", "tab", settle=False),
        Type(cvv),
    )


def screen_text(app: Any) -> str:
    """Every cell of every table on the current screen, as one string."""
    parts = []
    for table in app.screen.query(DataTable):
        for row in range(table.row_count):
            parts += [str(cell) for cell in table.get_row_at(row)]
    return " ".join(parts)
