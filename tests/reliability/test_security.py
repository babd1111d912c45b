"""Security properties an auditor asks for: sign-in throttling and lockout survive a restart,
unknown usernames cost the same argon2 work as known ones, and no secret (password, full card
number, CVV) reaches the database, the logs, an error message or an export."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sqlite3
import statistics
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from bankapp.bank import open_bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import AccountLocked, InvalidCredentials, LoginThrottled
from bankapp.exports.beancount import export_ledger
from bankapp.exports.files import export_statement
from tests.fixtures import (
    FROZEN_NOW,
    PASSWORD,
    TEST_SETTINGS,
    cash_in,
    make_customer,
    make_staff,
    sqlite_dump,
)
from tests.workload import run_cli

# -- throttling and lockout across restarts ---------------------------------------------------


def test_throttling_and_lockout_survive_a_restart(database_url: str, clock: FixedClock) -> None:
    bank = open_bank(database_url, clock=clock, settings=TEST_SETTINGS)
    make_customer(bank, "dana")
    for _ in range(TEST_SETTINGS.throttle_after):
        with pytest.raises(InvalidCredentials):
            bank.auth.login("dana", "not-the-password-at-all")
    bank.close()

    restarted = open_bank(database_url, clock=clock, settings=TEST_SETTINGS)
    with pytest.raises(LoginThrottled):
        restarted.auth.login("dana", PASSWORD)  # even the right password waits
    for _ in range(TEST_SETTINGS.lockout_after - TEST_SETTINGS.throttle_after):
        clock.advance(timedelta(minutes=1))
        with pytest.raises((InvalidCredentials, AccountLocked)):
            restarted.auth.login("dana", "still-not-the-password")
    restarted.close()

    again = open_bank(database_url, clock=clock, settings=TEST_SETTINGS)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(AccountLocked):
        again.auth.login("dana", PASSWORD)
    clock.advance(TEST_SETTINGS.lockout_period)
    assert again.auth.login("dana", PASSWORD).actor.username == "dana"
    again.close()


# -- unknown and known usernames cost the same ------------------------------------------------


@pytest.fixture
def argon2_verifies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verify the code under test runs, by the hash it was checked against."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        calls.append(str(hash))
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


def _timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(InvalidCredentials):
        action()
    return time.perf_counter() - start


def test_unknown_usernames_cost_one_argon2_verify_like_known_ones(
    bank: Any, argon2_verifies: list[str]
) -> None:
    make_customer(bank, "erin")
    for username in ("erin", "nobody-here", "x", "", "Robert'); DROP TABLE users;--"):
        argon2_verifies.clear()
        with pytest.raises(InvalidCredentials):
            bank.auth.login(username, "a-wrong-but-long-passphrase")
        assert len(argon2_verifies) == 1, username
        assert argon2_verifies[0].startswith("$argon2id$"), username
    # The dummy hash costs what a real one costs: the same algorithm and parameters.
    real = bank.db.read(
        lambda tx: tx.conn.exec_driver_sql(
            "SELECT password_hash FROM users WHERE username = 'erin'"
        ).scalar_one()
    )
    argon2_verifies.clear()
    with pytest.raises(InvalidCredentials):
        bank.auth.login("nobody-here", "whatever-long-passphrase")
    assert argon2_verifies[0].split("$")[1:4] == real.split("$")[1:4]


def test_login_timing_does_not_reveal_which_usernames_exist(bank: Any) -> None:
    """Medians of several attempts; a loose bound (shared machines are noisy), never a tight one."""
    make_customer(bank, "frank")
    known, unknown = [], []
    for i in range(7):
        unknown.append(_timed(lambda i=i: bank.auth.login(f"ghost{i}", "wrong-long-passphrase")))
        known.append(_timed(lambda: bank.auth.login("frank", "wrong-long-passphrase")))
        bank.operator.unlock("frank")  # keep frank below the throttle, outside the timing
    ratio = statistics.median(known) / statistics.median(unknown)
    print(
        f"login median known {statistics.median(known) * 1000:.1f} ms, unknown "
        f"{statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}"
    )
    assert 1 / 3 < ratio < 3


# -- no secret anywhere -----------------------------------------------------------------------

SECRET_PASSWORDS = {
    "registered": "Correct-Horse-Battery-Staple-42",
    "mistyped": "Wrong-Secret-Attempt-98765",
    "changed to": "Another-Long-Secret-Phrase-77",
    "rejected": "gina-gina-gina-gina-gina",
    "after reset": "Chosen-After-The-Reset-2718",
    "cli created": "Operator-Typed-Secret-3141",
}


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_no_secret_reaches_the_database_logs_errors_or_exports(
    tmp_path: Path, captured_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "logs"
    monkeypatch.setenv("BANKAPP_LOG_DIR", str(logs))
    db = tmp_path / "bank.db"
    clock = FixedClock(FROZEN_NOW)
    bank = open_bank(f"sqlite:///{db}", create=True, clock=clock, settings=TEST_SETTINGS)
    errors: list[str] = []

    def attempt(action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return action(*args, **kwargs)
        except Exception as exc:
            errors.append("".join(traceback.format_exception(exc)) + repr(exc))
            return None

    pw = SECRET_PASSWORDS
    user = bank.auth.register(
        username="gina",
        password=pw["registered"],
        password_confirm=pw["registered"],
        full_name="Gina G",
        email="gina@example.com",
    )
    gina = bank.auth.login(user.username, pw["registered"]).actor
    attempt(bank.auth.login, "gina", pw["mistyped"])
    attempt(bank.auth.change_password, gina, pw["mistyped"], pw["changed to"], pw["changed to"])
    attempt(bank.auth.change_password, gina, pw["registered"], pw["rejected"], pw["rejected"])
    bank.auth.change_password(gina, pw["registered"], pw["changed to"], pw["changed to"])
    admin = make_staff(bank, "boss", Role.ADMIN)
    other = make_staff(bank, "otto", Role.ADMIN)
    request = bank.staff.reset_password(admin, gina.user_id)
    approved = bank.approvals.approve(other, request.id)
    temporary = approved.temporary_password
    errors.append(repr(approved) + str(approved))  # a logged result never shows it
    forced = bank.auth.login("gina", temporary)
    assert forced.must_change_password
    gina = bank.auth.change_password(
        forced.actor, temporary, pw["after reset"], pw["after reset"]
    ).actor

    account = bank.accounts.open(gina, AccountKind.CHECKING)
    cash_in(bank, account.id, 500_00)
    issued = bank.cards.issue_debit(gina, account.id)
    pan, cvv, expiry = issued.pan, issued.cvv, issued.card.expiry
    errors.append(repr(issued) + str(issued))
    bought = bank.cards.purchase(
        gina, pan=pan, expiry=expiry, cvv=cvv, merchant="Corner Shop", amount=12_34
    )
    bank.cards.capture(admin, bought.hold_id)  # settled: it reaches the ledger and exports
    wrong_cvv = f"{(int(cvv) + 1) % 1000:03d}"
    attempt(
        bank.cards.purchase,
        gina,
        pan=pan,
        expiry=expiry,
        cvv=wrong_cvv,
        merchant="Corner Shop",
        amount=56_78,
    )
    attempt(
        bank.cards.purchase,
        gina,
        pan=pan[:-1] + str((int(pan[-1]) + 1) % 10),
        expiry=expiry,
        cvv=cvv,
        merchant="Corner Shop",
        amount=56_78,
    )
    exports = _exports(bank, gina, account.id, tmp_path / "exports")
    bank.close()

    created = run_cli(
        "--db",
        f"sqlite:///{db}",
        "create-user",
        "henry",
        "--role",
        "teller",
        "--full-name",
        "Henry H",
        "--email",
        "h@example.com",
        "--password-stdin",
        input=pw["cli created"] + "\n",
        env={"BANKAPP_LOG_DIR": str(logs)},
    )
    assert created.returncode == 0, created.stderr
    errors.append(created.stdout + created.stderr)

    places = {
        "database": "\n".join(_dump(db)),
        "logs": captured_logs.getvalue() + "".join(p.read_text() for p in logs.glob("*")),
        "errors": "\n".join(errors),
        "exports": "\n".join(p.read_text(errors="replace") for p in exports),
    }
    # The scan looks where the secrets would be: these prove each place was read.
    assert "corner shop" in places["database"].lower() and pan[-4:] in places["database"]
    assert "$argon2id$" in places["database"]
    assert "Username or password is incorrect" in places["errors"]
    assert "card" in places["exports"].lower() or "Corner Shop" in places["exports"]
    for where, content in places.items():
        lowered = content.lower()
        for what, secret in {**SECRET_PASSWORDS, "temporary": temporary}.items():
            assert secret.lower() not in lowered, f"{what} password found in {where}"
        for form in (pan, issued.formatted_pan, pan[:-4], pan[6:]):
            assert form not in content, f"card number ({form[:4]}…) found in {where}"
        if where != "database":  # numbers abound in the tables; the CVV has no column there
            for code in (cvv, wrong_cvv):
                assert not re.search(rf"(?<!\d){code}(?!\d)", content), f"CVV found in {where}"
    audit = _audit_texts(db)
    for code in (cvv, wrong_cvv):
        assert not any(re.search(rf"(?<!\d){code}(?!\d)", text) for text in audit), "CVV in audit"


def _exports(bank: Any, actor: Actor, account_id: int, folder: Path) -> list[Path]:
    folder.mkdir()
    document = bank.statements.generate(actor, account_id, bank.statements.period("this-month"))
    paths = [export_statement(document, "csv", folder)]
    paths.append(export_ledger(bank.ctx, None, folder).path)
    return paths


def _dump(db: Path) -> list[str]:
    return sqlite_dump(db)


def _audit_texts(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [
            " ".join(map(str, row))
            for row in conn.execute("SELECT actor_name, kind, subject, details FROM audit_events")
        ]
    finally:
        conn.close()
