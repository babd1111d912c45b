"""Snapshots of every screen and modal, and of each error a user can reach (120x34, frozen
clock, seeded demo, deterministic account numbers, no cursor blink)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from textual.pilot import Pilot

from bankapp.bank import Bank
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.errors import AuthenticationFailed
from screens.app import make_app
from tests.ui.helpers import SIZE, settle, sign_in, type_text

Snap = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


def snap(snap_compare: Snap, bank: Bank, run_before: RunBefore) -> bool:
    return snap_compare(make_app(bank), terminal_size=SIZE, run_before=run_before)


# -- sign-in and registration -------------------------------------------------------------


def test_login_screen_shows_the_demo_sign_ins(snap_compare: Snap, demo_bank: Bank) -> None:
    """The first screen: username, masked password, and the demo sign-ins on a demo bank."""
    assert snap(snap_compare, demo_bank, settle)


def test_login_with_a_wrong_password_says_so(snap_compare: Snap, demo_bank: Bank) -> None:
    """A wrong password gives one generic message and clears the password field."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice", "not-the-password")

    assert snap(snap_compare, demo_bank, run)


def test_login_when_locked_says_until_when(snap_compare: Snap, demo_bank: Bank) -> None:
    """After the fifth failure the user is locked, and the screen says until when."""
    clock = demo_bank.db.clock
    for _ in range(demo_bank.settings.lockout_after - 1):
        with contextlib.suppress(AuthenticationFailed):
            demo_bank.auth.login("bob", "wrong password!")
        clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "bob", "still the wrong one")

    assert snap(snap_compare, demo_bank, run)


def test_login_when_throttled_says_how_long_to_wait(snap_compare: Snap, demo_bank: Bank) -> None:
    """Quick failures after the third are refused with the seconds left to wait."""
    for _ in range(demo_bank.settings.throttle_after):
        with contextlib.suppress(AuthenticationFailed):
            demo_bank.auth.login("carol", "wrong password!")

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "carol", DEMO_PASSWORD)

    assert snap(snap_compare, demo_bank, run)


def test_registration_gives_live_password_feedback(snap_compare: Snap, demo_bank: Bank) -> None:
    """The rules the password breaks are listed as it is typed (from the service's rules)."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "dora")
        await pilot.press("enter")
        await type_text(pilot, "Dora Explorer")
        for _ in range(4):
            await pilot.press("tab")
        await type_text(pilot, "password")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_registration_shows_errors_beside_the_field(snap_compare: Snap, demo_bank: Bank) -> None:
    """A taken username is reported under the username field; nothing is created."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "alice")
        await pilot.press("tab")
        await type_text(pilot, "Another Alice")
        await pilot.press("tab")
        await type_text(pilot, "alice2@example.com")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "a fine long passphrase")
        await pilot.press("tab")
        await type_text(pilot, "a fine long passphrase")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


# -- signed in -----------------------------------------------------------------------------


def test_dashboard_lists_accounts_total_and_recent_activity(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Accounts with masked numbers, type, balance and status; the total; recent activity."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "carol")

    assert snap(snap_compare, demo_bank, run)


def test_account_detail_shows_one_page_of_history(snap_compare: Snap, demo_bank: Bank) -> None:
    """Enter on an account opens its balance, details and the newest page of history."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_history_memo_markup_is_shown_literally(snap_compare: Snap, demo_bank: Bank) -> None:
    """A memo typed as Rich markup appears as the characters typed, filtered by memo."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "12.34")
        await pilot.press("tab")
        await type_text(pilot, "[bold red]x[/] [link=https://e.vil]y[/link]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # confirm
        await settle(pilot)
        await pilot.press("escape")  # result -> dashboard
        await settle(pilot)
        await pilot.press("enter")  # open the account
        await settle(pilot)
        await pilot.press("ctrl+f")
        for _ in range(5):
            await pilot.press("tab")
        await type_text(pilot, "bold")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_history_filter_with_a_bad_date_says_how_to_write_it(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """A date the filter cannot read is reported beside the filters; the rows stay."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+f")
        await type_text(pilot, "yesterday")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_deposit_form(snap_compare: Snap, demo_bank: Bank) -> None:
    """The deposit form: account picker with balances, amount, memo."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "100")

    assert snap(snap_compare, demo_bank, run)


def test_transfer_with_a_bad_amount_is_refused_in_place(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """'12.345' is refused beside the amount field by the service's parser; nothing moves."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "12.345")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_transfer_to_another_customer_asks_for_the_number(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Choosing 'Another account number' shows the number field; an unknown one is refused."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#destination").value = "other"
        await settle(pilot)
        await type_text(pilot, "1234 5678 9012")
        await pilot.press("tab")
        await type_text(pilot, "5")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_withdrawal_over_the_balance_shows_insufficient_funds(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """Insufficient funds appears under the amount after confirming; the balance is unchanged."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("w")
        await settle(pilot)
        await type_text(pilot, "999,999")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_confirmation_modal_shows_exactly_what_will_happen(
    snap_compare: Snap, demo_bank: Bank
) -> None:
    """The confirmation names the action, both accounts, the memo and the balances."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "250")
        await pilot.press("tab")
        await type_text(pilot, "Holiday fund")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_result_screen_shows_the_new_balances(snap_compare: Snap, demo_bank: Bank) -> None:
    """After a confirmed transfer between own accounts both new balances are shown."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        await type_text(pilot, "250")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_open_account_modal(snap_compare: Snap, demo_bank: Bank) -> None:
    """O opens a small modal: kind and an optional name."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("o")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_profile_screen(snap_compare: Snap, demo_bank: Bank) -> None:
    """The profile as held by the bank, editable."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("p")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_change_password_with_a_wrong_current_password(snap_compare: Snap, demo_bank: Bank) -> None:
    """The current password is required; a wrong one is reported beside it."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await type_text(pilot, "not my password")
        await pilot.press("tab")
        await type_text(pilot, "a brand new passphrase")
        await pilot.press("tab")
        await type_text(pilot, "a brand new passphrase")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_help_modal_lists_the_screen_keys(snap_compare: Snap, demo_bank: Bank) -> None:
    """F1 explains the screen and lists its keys, then the app's."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        await pilot.press("f1")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)


def test_idle_lock_modal_after_a_wrong_password(snap_compare: Snap, demo_bank: Bank) -> None:
    """The lock covers the screen; a wrong password is said plainly."""

    async def run(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, "alice")
        pilot.app.lock_screen()  # type: ignore[attr-defined]
        await settle(pilot)
        await type_text(pilot, "wrong")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_bank, run)
