"""The process's own options: the `BANKAPP_*` environment variables, read, checked and typed
here and nowhere else.

These are what one process needs before it can reach the bank (where the database, the key,
the logs and the config are; how long SQLite waits for a lock). The bank's own rules (limits,
timeouts, interest rates) are not here: they live in the database (installation settings),
so every workstation agrees.

Plain code, not pydantic-settings: importing it (with pydantic) takes about 136 ms here, and
the sign-in screen reads the config path before it paints (a 300 ms target). Seven variables
do not need it. The variables are read once per distinct environment: a process that changes
its environment (a test, `bankapp serve` passing the URL to its children) gets fresh options.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bankapp.errors import ProcessOptionInvalid

DATABASE_URL = "BANKAPP_DATABASE_URL"
HOME = "BANKAPP_HOME"
CONFIG = "BANKAPP_CONFIG"
LOG_DIR = "BANKAPP_LOG_DIR"
KEY_FILE = "BANKAPP_KEY_FILE"
SECRET_KEY = "BANKAPP_SECRET_KEY"
BUSY_TIMEOUT_MS = "BANKAPP_BUSY_TIMEOUT_MS"
VARIABLES = (DATABASE_URL, HOME, CONFIG, LOG_DIR, KEY_FILE, SECRET_KEY, BUSY_TIMEOUT_MS)

DEFAULT_BUSY_TIMEOUT_MS = 5_000
MAX_BUSY_TIMEOUT_MS = 10 * 60 * 1000


@dataclass(frozen=True)
class ProcessOptions:
    """What the environment says; None means "not set: use the default"."""

    database_url: str | None = None
    home: Path | None = None
    config: Path | None = None
    log_dir: Path | None = None
    key_file: Path | None = None
    secret_key: str | None = field(default=None, repr=False)
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    given: frozenset[str] = frozenset()  # the variables that were set

    def source(self, variable: str) -> str:
        return variable if variable in self.given else "default"


def process_options() -> ProcessOptions:
    """The options in force; raises ProcessOptionInvalid naming the variable at fault."""
    return _parsed(tuple(os.environ.get(name) for name in VARIABLES))


@lru_cache(maxsize=8)
def _parsed(raw: tuple[str | None, ...]) -> ProcessOptions:
    values = {
        name: text.strip() for name, text in zip(VARIABLES, raw, strict=True) if text is not None
    }
    given = frozenset(name for name, text in values.items() if text)
    return ProcessOptions(
        database_url=values.get(DATABASE_URL) or None,
        home=_path(values.get(HOME)),
        config=_path(values.get(CONFIG)),
        log_dir=_path(values.get(LOG_DIR)),
        key_file=_path(values.get(KEY_FILE)),
        secret_key=values.get(SECRET_KEY) or None,
        busy_timeout_ms=_milliseconds(BUSY_TIMEOUT_MS, values.get(BUSY_TIMEOUT_MS)),
        given=given,
    )


def _path(text: str | None) -> Path | None:
    return Path(text).expanduser() if text else None


def _milliseconds(name: str, text: str | None) -> int:
    if not text:
        return DEFAULT_BUSY_TIMEOUT_MS
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_BUSY_TIMEOUT_MS:
        raise ProcessOptionInvalid(
            f"{name} is {text!r}; it must be a whole number of milliseconds from 1 to "
            f"{MAX_BUSY_TIMEOUT_MS:_} (unset it for the default, {DEFAULT_BUSY_TIMEOUT_MS})."
        )
    return value
