"""The CLI signs staff in with the second factor too: a password alone is not enough."""

from __future__ import annotations

import io
from pathlib import Path

import pyotp
import pytest

from bankapp.bank import open_bank
from bankapp.cli.main import main
from bankapp.domain.types import Role
from tests.fixtures import PASSWORD, TEST_SETTINGS, make_staff

SECRET = "CLITESTTOTPSECRETKEYAAAAAAAAAAAA"


@pytest.fixture
def staff_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    bank = open_bank(url, create=True, settings=TEST_SETTINGS)
    boss = make_staff(bank, "boss", Role.ADMIN)
    bank.totp.enrol_with_secret(boss.user_id, SECRET)
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
    code = pyotp.TOTP(SECRET).now()
    assert export_as_boss(staff_db, tmp_path, f"{PASSWORD}\n{code}\n", monkeypatch) == 0
    assert any((tmp_path / "out").iterdir())
