"""UI test fixtures: a seeded demo bank at a frozen time (built once, copied per test),
deterministic account numbers, no cursor blink, no user configuration; fixed card keys and
fixed secrets for the tests that ask for them."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.widgets import Input

from bankapp.bank import Bank, open_bank
from bankapp.clock import FixedClock
from bankapp.demo.build import build_demo
from bankapp.domain.account_numbers import check_digits
from bankapp.services.cards import CardService
from tests.conftest import FROZEN_NOW, TEST_SETTINGS

DEMO_SEED = 2026
FIXED_CARD_KEY = "5e" * 32


def _numbers(seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    while True:
        body = str(rng.randrange(10**9, 10**10))
        yield body + check_digits(body)


@pytest.fixture(autouse=True)
def deterministic_account_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Account numbers are random in production; snapshots need the same ones every run."""
    numbers = _numbers(7)
    monkeypatch.setattr("bankapp.services.accounts.new_account_number", lambda: next(numbers))


@pytest.fixture(autouse=True)
def no_change_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app polls the bank for changes only in a test that asks (`refresh_seconds`): a
    poll in the middle of a snapshot's script would reload its screen."""
    monkeypatch.setattr("screens.app.REFRESH_SECONDS", 0)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing from the developer's environment reaches the app under test."""
    for name in (
        "TEXTUAL",
        "TEXTUAL_THEME",
        "TEXTUAL_ANIMATIONS",
        "BANKAPP_DATABASE_URL",
        "NO_COLOR",
        "COLORTERM",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BANKAPP_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("BANKAPP_CONFIG", str(tmp_path / "config" / "config.toml"))  # absent
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded demo database at the frozen time, built once per session."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    numbers = _numbers(DEMO_SEED)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("bankapp.services.accounts.new_account_number", lambda: next(numbers))
        bank = open_bank(
            f"sqlite:///{path}", create=True, settings=TEST_SETTINGS, clock=FixedClock(FROZEN_NOW)
        )
        try:
            build_demo(bank, seed=DEMO_SEED, end=FROZEN_NOW)
        finally:
            bank.close()
    return path


@contextmanager
def _copy_of(template: Path, path: Path) -> Iterator[Bank]:
    """The SQLite bank `template` copied to `path` and opened with the clock at FROZEN_NOW."""
    shutil.copyfile(template, path)
    bank = open_bank(f"sqlite:///{path}", settings=TEST_SETTINGS, clock=FixedClock(FROZEN_NOW))
    try:
        yield bank
    finally:
        bank.close()


@pytest.fixture
def demo_bank(demo_template: Path, tmp_path: Path) -> Iterator[Bank]:
    """A private copy of the demo bank, with the clock frozen at FROZEN_NOW."""
    key = demo_template.parent / "bankapp.key"  # TOTP secrets and card hashes need its key
    if key.exists():
        shutil.copy2(key, tmp_path / "bankapp.key")
    with _copy_of(demo_template, tmp_path / "bank.db") as bank:
        yield bank


@pytest.fixture
def empty_bank(sqlite_template: Path, tmp_path: Path) -> Iterator[Bank]:
    """An empty migrated bank (SQLite), clock frozen at FROZEN_NOW."""
    with _copy_of(sqlite_template, tmp_path / "empty.db") as bank:
        yield bank


@pytest.fixture
def fixed_card_key(demo_bank: Bank) -> None:
    """CVVs derive from the installation key: the card service gets a fixed one (and a seeded
    number source) so the reveal repeats; the bank's own key file is left alone."""
    demo_bank.cards = CardService(
        demo_bank.ctx, lambda: bytes.fromhex(FIXED_CARD_KEY), random.Random(1)
    )


@pytest.fixture
def fixed_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enrolment keys, recovery codes and temporary passwords are random; fix them here."""
    counter = iter(range(10_000))
    monkeypatch.setattr(
        "bankapp.services.auth.second_factor.pyotp.random_base32",
        lambda length=32: "NEWSTAFFTOTPKEYFORSNAPSHOTSAAAAA"[:length],
    )
    monkeypatch.setattr("secrets.token_hex", lambda n=3: f"{next(counter):0{2 * n}x}")


@pytest.fixture(autouse=True)
def short_idle_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits at least 20 ms after every key and every pause to guess that the app has
    gone idle (textual._wait). These tests do not rely on that guess: `settle` waits for the
    workers, queues and layouts themselves. A 4 ms step keeps the guess's behaviour (CPU time
    against wall time) and cuts most of the sleeping from the suite."""
    monkeypatch.setattr("textual._wait.SLEEP_GRANULARITY", 1 / 250)
    monkeypatch.setattr("textual._wait.SLEEP_IDLE", 1 / 250 / 20)
