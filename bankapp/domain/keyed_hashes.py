"""Keyed hashes (HMAC-SHA256) and per-purpose sub-keys of the installation key."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

SHA256_BLOCK = 64


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under `key`, separated by `purpose`; 64 hex characters."""
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def derive_key(key: bytes, purpose: str) -> bytes:
    """A 32-byte sub-key for one purpose (e.g. "totp-secret-encryption"), so each use of the
    installation key gets an independent key."""
    return hmac.new(key, b"bankapp derived key\x00" + purpose.encode(), hashlib.sha256).digest()


def _hkdf(key: bytes, info: bytes, length: int) -> bytes:
    # Imported here: cryptography is heavy and only a keyed write or verify needs it.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


def key_fingerprint(key: bytes) -> str:
    """A name for an installation key that reveals nothing about it (HKDF, one-way): 32 hex
    digits, stored in the database and shown when a workstation has the wrong key."""
    return _hkdf(key, b"bankapp installation key fingerprint v1", 16).hex()


def chain_key(key: bytes) -> bytes:
    """The audit chain's HMAC key, derived from the installation key (never stored)."""
    return _hkdf(key, b"bankapp audit chain v1", 32)


def key_id(fingerprint: str) -> str:
    """The short form of a fingerprint each audit event carries."""
    return fingerprint[:16]


def show_fingerprint(fingerprint: str) -> str:
    """A fingerprint as people read it aloud: groups of four."""
    return "-".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def hmac_sha256_hex(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 under `key` as a function of the message (hex digest), with the key's
    inner and outer pads hashed once (RFC 2104): for many messages under one key (walking
    the audit chain) it is twice as fast as `hmac.digest`, and gives the same digests."""
    if len(key) > SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(SHA256_BLOCK, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in padded)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in padded)).copy

    def digest(message: bytes) -> str:
        inner = inner_copy()
        inner.update(message)
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    return digest
