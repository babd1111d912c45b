"""The installation secret key: one random 32-byte key per bank, kept beside (not inside) the
database, used for keyed hashes (card numbers) and derived sub-keys (TOTP secrets).

Where the key comes from, first match wins:
1. `BANKAPP_SECRET_KEY`: the key as hex (at least 64 hex digits, i.e. 32 bytes);
2. `BANKAPP_KEY_FILE`: a file holding the key as hex;
3. `bankapp.key` in the folder of a SQLite database file, or `data/bankapp.key` for other
   backends (copy that one file to every workstation sharing a PostgreSQL database).
A missing key file is created on first use with mode 0600; a key file others can read is
refused, so a copied backup of the database alone never lets anyone link a hash to a number.

A key file may hold several keys, one per line, newest first: `bankapp rotate-key` adds a new
key and keeps the old ones, which still recognise cards issued under them and check the audit
links they made. Which key is current is the database's to say (its installation record
holds the current key's fingerprint), not the file's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from bankapp.errors import SecretKeyUnavailable
from bankapp.storage.locations import default_database_url, default_key_file
from bankapp.storage.process_options import KEY_FILE as ENV_KEY_FILE
from bankapp.storage.process_options import SECRET_KEY as ENV_KEY
from bankapp.storage.process_options import process_options

KEY_FILE_NAME = "bankapp.key"
KEY_BYTES = 32

_cache: dict[str, tuple[bytes, ...]] = {}
_lock = threading.Lock()


def key_file_for(url: str | URL) -> Path:
    """Where the key file lives for the database at `url` (environment not considered)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database or "").parent / KEY_FILE_NAME
    return default_key_file()


def installation_key(source: Any = None, *, create: bool = True) -> bytes:
    """The newest installation key for `source`: a database URL (str or URL), or an object
    with `.db.engine.url` such as a `Bank`; None means the default database folder `data/`.

    Raises SecretKeyUnavailable (never including key material) if the key cannot be used.
    """
    return installation_keys(source, create=create)[0]


def installation_keys(source: Any = None, *, create: bool = True) -> tuple[bytes, ...]:
    """Every key in the key file for `source`, newest first (see `installation_key`)."""
    if text := process_options().secret_key:
        return (_decode(text, ENV_KEY),)
    path = key_path(source)
    cache_key = str(path.resolve())
    with _lock:
        if cache_key not in _cache:
            _cache[cache_key] = _load_or_create(path, create=create)
        return _cache[cache_key]


def key_path(source: Any = None) -> Path:
    """The key file `installation_keys(source)` reads (when no key is in the environment)."""
    return process_options().key_file or key_file_for(_url_of(source))


def add_newest_key(source: Any, key: bytes) -> Path:
    """Put `key` first in the key file, keeping the older keys after it (a rotation). The
    file is replaced atomically (0600), so a crash leaves the old file or the new one."""
    if process_options().secret_key:
        raise SecretKeyUnavailable(
            f"The key comes from {ENV_KEY}; rotate it by setting a key file ({ENV_KEY_FILE}) "
            "instead, so the old key can be kept beside the new one."
        )
    path = key_path(source)
    keys = (key, *installation_keys(source, create=False))
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write("".join(k.hex() + "\n" for k in keys))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        raise SecretKeyUnavailable(f"Cannot write the key file {path}: {exc.strerror}.") from None
    finally:
        temp.unlink(missing_ok=True)
    forget_cached_keys()
    return path


def key_location(source: Any = None) -> str:
    """Where `installation_key(source)` reads the key from, in words (never the key)."""
    if process_options().secret_key:
        return f"the {ENV_KEY} environment variable"
    return str(key_path(source))


def forget_cached_keys() -> None:
    """Drop keys read so far (tests that rotate or delete key files use this)."""
    with _lock:
        _cache.clear()


def _url_of(source: Any) -> str | URL:
    if source is None:
        return default_database_url()
    if isinstance(source, str | URL):
        return source
    return source.db.engine.url  # type: ignore[no-any-return]


def _decode(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise SecretKeyUnavailable(f"{where} is not hexadecimal; expected 64 hex digits.") from None
    if len(key) < KEY_BYTES:
        raise SecretKeyUnavailable(
            f"{where} is too short: the key must be at least {KEY_BYTES} bytes (64 hex digits)."
        )
    return key


def _load_or_create(path: Path, *, create: bool) -> tuple[bytes, ...]:
    if not path.exists():
        if not create:
            raise SecretKeyUnavailable(f"The key file {path} is missing.")
        _create(path)
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyUnavailable(
            f"The key file {path} can be read by other users; run `chmod 600 {path}`."
        )
    try:
        lines = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        raise SecretKeyUnavailable(f"The key file {path} cannot be read.") from None
    if not lines:
        raise SecretKeyUnavailable(f"The key file {path} is empty.")
    return tuple(_decode(line, f"The key file {path}") for line in lines)


def _create(path: Path) -> None:
    """Write a fresh key atomically: a temporary file (0600) linked into place, so two
    processes starting together agree on one key."""
    if not path.parent.is_dir():
        raise SecretKeyUnavailable(f"The folder {path.parent} for the key file does not exist.")
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # If another process created the file first, its key is the one everybody uses.
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    except OSError as exc:
        raise SecretKeyUnavailable(f"Cannot create the key file {path}: {exc.strerror}.") from None
    finally:
        temp.unlink(missing_ok=True)
