"""`bankapp statement` and `bankapp export-ledger`: the CLI signs in as --user (staff with the
second factor too: a password alone is not enough) and exports only what that user may see."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pyotp
import pytest

from bankapp.bank import open_bank
from bankapp.cli.main import main
from bankapp.clock import FixedClock
from bankapp.domain.types import Role
from bankapp.exports.csv import read_statement_csv, total_of
from tests.cli.test_cli import run
from tests.fixtures import PASSWORD, TEST_SETTINGS, funded_account, make_customer, make_staff

BEAN_CHECK = Path(sys.executable).parent / "bean-check"
STAFF_TOTP = {"tina": "TINATOTPSECRETFORCLITESTSAAAAAAA", "ada": "ADATOTPSECRETFORCLITESTSAAAAAAAA"}
BOSS_TOTP = "CLITESTTOTPSECRETKEYAAAAAAAAAAAA"  # boss, the admin of the second-factor test


def sign_in_lines(user: str, password: str = PASSWORD) -> str:
    """What --password-stdin reads: the password, then the TOTP code for staff."""
    code = pyotp.TOTP(STAFF_TOTP[user]).now() + "\n" if user in STAFF_TOTP else ""
    return f"{password}\n{code}"


@pytest.fixture
def cli_bank(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A database with alice (two deposits in October), bob, a teller and an admin."""
    url = f"sqlite:///{tmp_path}/bank.db"
    bank = open_bank(
        url, create=True, clock=FixedClock(datetime(2026, 10, 5, 9)), settings=TEST_SETTINGS
    )
    try:
        alice = make_customer(bank, "alice")
        bob = make_customer(bank, "bob")
        for name, role in (("tina", Role.TELLER), ("ada", Role.ADMIN)):
            make_staff(bank, name, role)
            bank.operator.enrol_second_factor(name, STAFF_TOTP[name])
        account = funded_account(bank, alice, 12_345)
        bank.payments.withdraw(alice, account, 2_000, memo="cash")
        numbers = {
            "alice": bank.accounts.get(alice, account).number,
            "bob": bank.accounts.get(bob, funded_account(bank, bob, 700)).number,
        }
    finally:
        bank.close()
    return url, numbers


def statement(
    url: str, number: str, user: str, out: Path, *extra: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    return run(
        "--db",
        url,
        "statement",
        number,
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--user",
        user,
        "--password-stdin",
        "--out",
        str(out),
        *extra,
        stdin=sign_in_lines(user, password),
    )


def test_a_customer_writes_their_own_csv_statement(
    cli_bank: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, numbers = cli_bank
    result = statement(url, numbers["alice"], "alice", tmp_path / "out", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert "closing $103.45" in result.stdout and "(2 transactions)" in result.stdout
    [path] = (tmp_path / "out").iterdir()
    assert str(path) in result.stdout
    assert total_of(read_statement_csv(path.read_text())) == 10_345


def test_a_teller_prints_a_customers_pdf_statement_by_number_with_spaces(
    cli_bank: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, numbers = cli_bank
    spaced = " ".join(numbers["alice"][i : i + 4] for i in range(0, 12, 4))
    result = statement(url, spaced, "tina", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    [path] = (tmp_path / "out").iterdir()
    assert path.suffix == ".pdf" and path.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("user", "password", "words"),
    [
        ("bob", PASSWORD, "No account with number"),
        ("alice", "not-the-password", "Username or password is incorrect"),
    ],
)
def test_a_statement_for_someone_elses_account_or_with_a_wrong_password_is_refused(
    cli_bank: tuple[str, dict[str, str]], tmp_path: Path, user: str, password: str, words: str
) -> None:
    url, numbers = cli_bank
    result = statement(url, numbers["alice"], user, tmp_path / "out", password=password)
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_statement_needs_a_period(cli_bank: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, numbers = cli_bank
    result = run(
        "--db",
        url,
        "statement",
        numbers["alice"],
        "--user",
        "alice",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 2 and "--from and --to" in result.stderr


def test_the_operator_exports_the_whole_ledger_and_a_customer_only_theirs(
    cli_bank: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, numbers = cli_bank
    whole = run("--db", url, "export-ledger", "--out", str(tmp_path / "bank"))
    assert whole.returncode == 0, whole.stderr
    [bank_file] = (tmp_path / "bank").iterdir()
    assert subprocess.run([str(BEAN_CHECK), str(bank_file)], check=False).returncode == 0
    assert numbers["bob"] in bank_file.read_text()
    own = run(
        "--db",
        url,
        "export-ledger",
        "--user",
        "alice",
        "--password-stdin",
        "--out",
        str(tmp_path / "alice"),
        stdin=PASSWORD + "\n",
    )
    assert own.returncode == 0, own.stderr
    [own_file] = (tmp_path / "alice").iterdir()
    assert numbers["bob"] not in own_file.read_text()
    assert numbers["alice"] in own_file.read_text()
    teller = run(
        "--db",
        url,
        "export-ledger",
        "--user",
        "tina",
        "--password-stdin",
        "--out",
        str(tmp_path / "tina"),
        stdin=sign_in_lines("tina"),
    )
    assert teller.returncode == 2 and "admin" in teller.stderr


def test_a_reprint_writes_the_same_bytes_as_the_first_print(
    cli_bank: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, numbers = cli_bank
    first = statement(url, numbers["alice"], "alice", tmp_path / "first")
    assert first.returncode == 0, first.stderr
    [original] = (tmp_path / "first").iterdir()
    again = run(
        "--db",
        url,
        "statement",
        "--reprint",
        "1",
        "--user",
        "alice",
        "--password-stdin",
        "--out",
        str(tmp_path / "again"),
        stdin=PASSWORD + "\n",
    )
    assert again.returncode == 0, again.stderr
    [copy] = (tmp_path / "again").iterdir()
    assert copy.name == original.name
    assert copy.read_bytes() == original.read_bytes()
    other = run(
        "--db",
        url,
        "statement",
        "--reprint",
        "1",
        "--user",
        "bob",
        "--password-stdin",
        "--out",
        str(tmp_path / "bob"),
        stdin=PASSWORD + "\n",
    )
    assert other.returncode == 2 and "No such statement" in other.stderr


# -- signing staff in: the password, then the second factor -------------------------------


@pytest.fixture
def staff_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    bank = open_bank(url, create=True, settings=TEST_SETTINGS)
    boss = make_staff(bank, "boss", Role.ADMIN)
    bank.operator.enrol_second_factor(boss.username, BOSS_TOTP)
    bank.close()
    return url


def export_as_boss(url: str, tmp_path: Path, stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(
        [
            "--db",
            url,
            "export-ledger",
            "--user",
            "boss",
            "--password-stdin",
            "--out",
            str(tmp_path / "out"),
        ]
    )


def test_staff_export_needs_the_code_after_the_password(
    staff_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert export_as_boss(staff_db, tmp_path, f"{PASSWORD}\n", monkeypatch) != 0
    assert export_as_boss(staff_db, tmp_path, f"{PASSWORD}\n000000\n", monkeypatch) != 0
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    code = pyotp.TOTP(BOSS_TOTP).now()
    assert export_as_boss(staff_db, tmp_path, f"{PASSWORD}\n{code}\n", monkeypatch) == 0
    assert any((tmp_path / "out").iterdir())
