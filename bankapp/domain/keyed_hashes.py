"""Keyed hashes (HMAC-SHA256) and per-purpose sub-keys of the installation key."""

from __future__ import annotations

import hashlib
import hmac


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
