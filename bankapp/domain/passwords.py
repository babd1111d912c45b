"""Password rules after NIST SP 800-63B rev. 4, and argon2id hashing after OWASP."""

from __future__ import annotations

import base64
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet floor for argon2id: m=19 MiB, t=2, p=1.
OWASP_MIN_MEMORY_KIB = 19 * 1024
OWASP_MIN_TIME_COST = 2


@dataclass(frozen=True)
class HashParameters:
    """argon2id cost; argon2-cffi's defaults (64 MiB, t=3, p=4) are above the OWASP floor."""

    memory_kib: int = 64 * 1024
    time_cost: int = 3
    parallelism: int = 4

    def __post_init__(self) -> None:
        if self.memory_kib < OWASP_MIN_MEMORY_KIB or self.time_cost < OWASP_MIN_TIME_COST:
            raise ValueError("argon2id parameters below the OWASP minimum (19 MiB, t=2)")


OWASP_MINIMUM = HashParameters(memory_kib=OWASP_MIN_MEMORY_KIB, time_cost=2, parallelism=1)


_SEQUENCES = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz" * 2, "qwertyuiopasdfghjklzxcvbnm" * 2)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The blocklist shipped inside the package (`bankapp/data/common-passwords.txt`)."""
    text = resources.files("bankapp").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def normalise(password: str) -> str:
    """NFKC, as NIST asks, so the same password typed on two keyboards is the same."""
    return unicodedata.normalize("NFKC", password)


def password_problems(
    password: str, *, username: str = "", min_length: int = 15, max_length: int = 256
) -> list[str]:
    """Every rule the password breaks, in words; an empty list means it is acceptable.

    This one function serves registration, password change and the screens' live feedback.
    """
    pw = normalise(password)
    problems: list[str] = []
    length = len(pw)
    if length < min_length:
        problems.append(f"Use at least {min_length} characters ({length} so far).")
    if length > max_length:
        problems.append(f"Use at most {max_length} characters.")
    if "\x00" in pw:
        problems.append("The password cannot contain a NUL character.")
    if any("\ud800" <= ch <= "\udfff" for ch in pw):
        problems.append("The password contains characters that are not valid text.")
    lowered = pw.lower()
    if username and username.lower() in lowered:
        problems.append("The password cannot contain your username.")
    if length and _is_common(lowered):
        problems.append("That password is too common; choose something less predictable.")
    return problems


def _is_common(lowered: str) -> bool:
    blocklist = common_passwords()
    if lowered in blocklist or len(set(lowered)) <= 2:
        return True
    if any(lowered in seq for seq in _SEQUENCES):
        return True
    # A common word padded with digits or symbols ("dragon!!!!!!!!!!", "password12345678").
    core = lowered.rstrip("0123456789!@#$%^&*.?-_ ").lstrip("0123456789!@#$%^&*.?-_ ")
    return bool(core) and (core in blocklist or _is_repeat_of_common(core, blocklist))


def _is_repeat_of_common(text: str, blocklist: frozenset[str]) -> bool:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size] in blocklist or size <= 3
    return False


class PasswordHashing:
    """argon2id hashing with this installation's cost parameters."""

    def __init__(self, parameters: HashParameters) -> None:
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_kib,
            parallelism=parameters.parallelism,
        )
        # Verified against when the username is unknown, so the answer takes as long.
        self._dummy = _unmatchable_hash(self._hasher)

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalise(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            # surrogatepass: a malformed password still costs one verify, and never matches.
            candidate = normalise(password).encode("utf-8", "surrogatepass")
            return self._hasher.verify(stored_hash or self._dummy, candidate) and (
                stored_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def _unmatchable_hash(hasher: PasswordHasher) -> str:
    """A well-formed argon2id hash of random bytes: verifying against it costs one full
    argon2 run at these parameters, like a real hash, without hashing at every start-up."""

    def b64(size: int) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode().rstrip("=")

    return (
        f"$argon2id$v=19$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
        f"${b64(hasher.salt_len)}${b64(hasher.hash_len)}"
    )
