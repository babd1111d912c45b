"""Keyed hashes and sub-keys: the same input gives the same digest only under the same key and
purpose."""

from __future__ import annotations

import hmac

from hypothesis import given
from hypothesis import strategies as st

from bankapp.domain.keyed_hashes import derive_key, hmac_sha256_hex, keyed_hash


def test_keyed_hashes_depend_on_key_and_purpose() -> None:
    k1, k2 = b"1" * 32, b"2" * 32
    assert keyed_hash(k1, "pan", "4000") == keyed_hash(k1, "pan", "4000")
    assert keyed_hash(k1, "pan", "4000") != keyed_hash(k2, "pan", "4000")
    assert keyed_hash(k1, "pan", "4000") != keyed_hash(k1, "cvv", "4000")
    assert len(keyed_hash(k1, "pan", "4000")) == 64
    assert derive_key(k1, "totp") != derive_key(k1, "other")
    assert len(derive_key(k1, "totp")) == 32


@given(key=st.binary(min_size=0, max_size=200), message=st.binary(max_size=600))
def test_the_padded_hmac_gives_the_standard_digest(key: bytes, message: bytes) -> None:
    """Keys shorter, equal to and longer than the block size, any message: RFC 2104."""
    assert hmac_sha256_hex(key)(message) == hmac.digest(key, message, "sha256").hex()


def test_the_padded_hmac_matches_the_rfc_4231_vector() -> None:
    """RFC 4231 test case 2: key "Jefe"."""
    digest = hmac_sha256_hex(b"Jefe")(b"what do ya want for nothing?")
    assert digest == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
