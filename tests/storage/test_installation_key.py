"""The installation key: created once beside the database, private, overridable, never weak."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bankapp.errors import SecretKeyUnavailable
from bankapp.storage import installation_key as keys

pytestmark = pytest.mark.usefixtures("no_configured_installation_key")


def test_a_key_file_is_created_beside_the_sqlite_database_with_mode_0600(tmp_path: Path) -> None:
    key = keys.installation_key(f"sqlite:///{tmp_path}/bank.db")
    path = tmp_path / "bankapp.key"
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert bytes.fromhex(path.read_text().strip()) == key


def test_the_same_key_is_returned_after_the_cache_is_dropped(tmp_path: Path) -> None:
    first = keys.installation_key(f"sqlite:///{tmp_path}/bank.db")
    keys.forget_cached_keys()
    assert keys.installation_key(f"sqlite:///{tmp_path}/bank.db") == first


def test_each_installation_gets_its_own_random_key(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = keys.installation_key(f"sqlite:///{tmp_path}/a/bank.db")
    b = keys.installation_key(f"sqlite:///{tmp_path}/b/bank.db")
    assert a != b


def test_the_environment_key_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(keys.ENV_KEY, "ab" * 32)
    assert keys.installation_key(f"sqlite:///{tmp_path}/bank.db") == bytes.fromhex("ab" * 32)
    assert not (tmp_path / "bankapp.key").exists()


def test_a_key_file_named_in_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "elsewhere.key"
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(path))
    key = keys.installation_key("postgresql+psycopg://u@h/db")
    assert bytes.fromhex(path.read_text().strip()) == key


@pytest.mark.parametrize("value", ["abcd", "zz" * 32, "ab" * 31])
def test_a_short_or_malformed_environment_key_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(keys.ENV_KEY, value)
    with pytest.raises(SecretKeyUnavailable) as caught:
        keys.installation_key("sqlite:///x.db")
    assert value not in caught.value.message


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_other_users_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bankapp.key"
    path.write_text("cd" * 32)
    path.chmod(0o644)
    with pytest.raises(SecretKeyUnavailable, match="chmod 600"):
        keys.installation_key(f"sqlite:///{tmp_path}/bank.db")


def test_a_missing_key_is_not_created_when_creation_is_off(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyUnavailable, match="missing"):
        keys.installation_key(f"sqlite:///{tmp_path}/bank.db", create=False)
