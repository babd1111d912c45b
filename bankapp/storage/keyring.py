"""One key per installation: which of the key file's keys this database belongs to, the
installation record that says so, and the keys derived for the audit chain.

The database stores the current key's fingerprint (never the key). A process whose key file
lacks that key refuses to work against the database, naming the fingerprint it expected and
where it looked; a key is created only for a database that has never had one.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, select, update

from bankapp.domain.keyed_hashes import chain_key, key_fingerprint, key_id, show_fingerprint
from bankapp.errors import KeyMismatch, SecretKeyUnavailable, StorageError
from bankapp.storage.installation_key import installation_keys, key_location
from bankapp.storage.models import Installation

_installation = Installation


class KeyRing:
    """The installation keys one process holds, loaded on first use and kept."""

    def __init__(
        self, load: Callable[[bool], tuple[bytes, ...]], location: Callable[[], str]
    ) -> None:
        self._load = load
        self._location = location
        self._keys: tuple[bytes, ...] | None = None
        self._fingerprints: dict[str, bytes] = {}
        self._chain: dict[str, bytes] = {}
        self._current: str | None = None  # the fingerprint the database names
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        return self._location()

    def keys(self, *, create: bool = False) -> tuple[bytes, ...]:
        with self._lock:
            if self._keys is None:
                keys = self._load(create)
                self._fingerprints = {key_fingerprint(k): k for k in keys}
                self._keys = keys
            return self._keys

    def forget(self) -> None:
        """Read the key file again next time (after a rotation)."""
        with self._lock:
            self._keys, self._fingerprints, self._chain, self._current = None, {}, {}, None

    def fingerprints(self) -> tuple[str, ...]:
        self.keys()
        return tuple(self._fingerprints)

    def by_fingerprint(self, fingerprint: str) -> bytes | None:
        self.keys()
        return self._fingerprints.get(fingerprint)

    def current(self) -> bytes:
        """The key new secrets are made with: the one the database names, else the newest."""
        keys = self.keys(create=True)
        if self._current is not None:
            return self._fingerprints.get(self._current, keys[0])
        return keys[0]

    def all_keys(self) -> tuple[bytes, ...]:
        """Every key, the current one first (lookups of things made under older keys)."""
        current = self.current()
        return (current, *(k for k in self.keys() if k != current))

    def chain_key_for(self, event_key_id: str) -> bytes | None:
        """The chain key of the ring key whose fingerprint starts with `event_key_id`."""
        with self._lock:
            found = self._chain.get(event_key_id)
        if found is not None:
            return found
        for fingerprint, key in ((f, self.by_fingerprint(f)) for f in self.fingerprints()):
            if key is not None and key_id(fingerprint) == event_key_id:
                derived = chain_key(key)
                with self._lock:
                    self._chain[event_key_id] = derived
                return derived
        return None

    def appending_key(self, conn: Connection, now: datetime) -> tuple[str, bytes]:
        """(key id, chain key) for a new audit event; registers the key with a database that
        has none yet, in the caller's transaction."""
        fingerprint = self._current
        if fingerprint is None:
            fingerprint = register_or_check(conn, self, now)
            self._current = fingerprint
        kid = key_id(fingerprint)
        derived = self.chain_key_for(kid)
        assert derived is not None  # register_or_check found the key in the ring
        return kid, derived

    def adopt(self, fingerprint: str) -> None:
        """The database names `fingerprint` as current (checked by `register_or_check`)."""
        self._current = fingerprint


def installation_ring(engine: Engine) -> KeyRing:
    """The ring of the installation keys for the database behind `engine` (from its key
    file, or the environment), loaded on first use."""
    return KeyRing(
        lambda create: installation_keys(engine.url, create=create),
        lambda: key_location(engine.url),
    )


def installation_tag(derived_chain_key: bytes, row: object) -> str:
    """The HMAC that binds the installation record's fields (fingerprint and the legacy
    boundary) under the chain key, so a file writer cannot move the boundary."""
    fields = (
        getattr(row, "key_fingerprint", None),
        getattr(row, "legacy_until_seq", None),
        getattr(row, "legacy_until_entry", None),
    )
    message = "installation|" + "|".join(str(f) for f in fields)
    return hmac.new(derived_chain_key, message.encode(), hashlib.sha256).hexdigest()


def read_installation(conn: Connection) -> object:
    row = conn.execute(select(_installation).where(_installation.c.id == 1)).one_or_none()
    if row is None:
        raise StorageError(
            "The database has no installation record (it was removed or the database was not "
            "created by bankapp); run `bankapp verify` and restore a backup."
        )
    return row


def register_or_check(conn: Connection, ring: KeyRing, now: datetime) -> str:
    """The fingerprint of the key this database belongs to, after checking the ring holds it.
    A database without one gets the ring's newest key (created if the file is missing, only
    when the database has no key yet), by a conditional update, so two workstations starting
    together agree on one."""
    row = read_installation(conn)
    expected = row.key_fingerprint  # type: ignore[attr-defined]
    if expected is None:
        keys = ring.keys(create=True)
        fingerprint = key_fingerprint(keys[0])
        claimed = conn.execute(
            update(_installation)
            .where(_installation.c.id == 1, _installation.c.key_fingerprint.is_(None))
            .values(key_fingerprint=fingerprint, registered_at=now)
        ).rowcount
        row = read_installation(conn)
        expected = row.key_fingerprint  # type: ignore[attr-defined]
        if claimed == 1:
            tag = installation_tag(chain_key(keys[0]), row)
            conn.execute(update(_installation).where(_installation.c.id == 1).values(tag=tag))
    require_key(ring, expected)
    ring.adopt(expected)
    return str(expected)


def require_key(ring: KeyRing, expected: str) -> None:
    """Refuse, in words an operator can act on, a ring without the database's key."""
    try:
        known = ring.fingerprints()
    except SecretKeyUnavailable as exc:
        raise KeyMismatch(
            f"This database belongs to the installation key {show_fingerprint(expected)}, but "
            f"no key could be read at {ring.location} ({exc.message}). Copy the key file from "
            "the workstation that set the bank up (docs/deployment.md: one key per "
            "installation); do not make a new one."
        ) from None
    if expected not in known:
        found = ", ".join(show_fingerprint(f) for f in known)
        raise KeyMismatch(
            f"This database belongs to the installation key {show_fingerprint(expected)}, but "
            f"the key at {ring.location} is {found}. Copy the key file from the workstation "
            "that set the bank up (docs/deployment.md: one key per installation)."
        )


def check_on_open(conn: Connection, ring: KeyRing) -> None:
    """At start-up: a database that names a key must find it in the ring."""
    row = read_installation(conn)
    expected = row.key_fingerprint  # type: ignore[attr-defined]
    if expected is not None:
        require_key(ring, expected)
        ring.adopt(expected)
