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
