"""Keyed hashes and sub-keys: the same input gives the same digest only under the same key and
purpose."""

from __future__ import annotations

from bankapp.domain.keyed_hashes import derive_key, keyed_hash


def test_keyed_hashes_depend_on_key_and_purpose() -> None:
    k1, k2 = b"1" * 32, b"2" * 32
    assert keyed_hash(k1, "pan", "4000") == keyed_hash(k1, "pan", "4000")
    assert keyed_hash(k1, "pan", "4000") != keyed_hash(k2, "pan", "4000")
    assert keyed_hash(k1, "pan", "4000") != keyed_hash(k1, "cvv", "4000")
    assert len(keyed_hash(k1, "pan", "4000")) == 64
    assert derive_key(k1, "totp") != derive_key(k1, "other")
    assert len(derive_key(k1, "totp")) == 32
