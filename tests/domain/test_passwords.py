"""Password rules follow NIST SP 800-63B rev. 4; hashes are argon2id at OWASP cost or more."""

from __future__ import annotations

import pytest

from bankapp.domain.passwords import (
    OWASP_MINIMUM,
    HashParameters,
    PasswordHashing,
    common_passwords,
    password_problems,
)


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    assert password_problems("purple otter sings at dawn", username="alice") == []


def test_unicode_and_spaces_are_allowed_and_never_truncated() -> None:
    assert password_problems("Ünïcødé pässwörd 🙂 ok", username="bob") == []
    hashing = PasswordHashing(OWASP_MINIMUM)
    long_pw = "x7" * 100
    digest = hashing.hash(long_pw)
    assert hashing.verify(digest, long_pw)
    assert not hashing.verify(digest, long_pw[:-1])


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short", "at least 15"),
        ("aaaaaaaaaaaaaaaaaaa", "too common"),
        ("123456789012345678", "too common"),
        ("password12345678", "too common"),
        ("qwertyuiopasdfgh", "too common"),
        ("my name is alice ok", "username"),
        ("x" * 300, "at most"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_they_break(password: str, words: str) -> None:
    problems = password_problems(password, username="alice")
    assert any(words in p for p in problems), problems


def test_the_shipped_blocklist_is_loaded() -> None:
    assert len(common_passwords()) > 10_000
    assert "password" in common_passwords()


def test_hashes_are_argon2id_and_rehash_when_parameters_rise() -> None:
    weak = PasswordHashing(OWASP_MINIMUM)
    digest = weak.hash("purple otter sings at dawn")
    assert digest.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in digest
    stronger = PasswordHashing(HashParameters(memory_kib=32 * 1024, time_cost=3, parallelism=1))
    assert stronger.needs_rehash(digest)
    assert not weak.needs_rehash(digest)


def test_parameters_below_the_owasp_floor_are_refused() -> None:
    with pytest.raises(ValueError):
        HashParameters(memory_kib=8 * 1024, time_cost=1, parallelism=1)
