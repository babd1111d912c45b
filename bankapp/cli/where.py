"""`bankapp where`: every path and process option in use, where each came from, and whether
each file is private."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url

from bankapp.storage.engine import sqlite_path
from bankapp.storage.installation_key import key_location, key_path
from bankapp.storage.locations import (
    config_path,
    data_home,
    export_directory,
    log_directory,
    running_from_checkout,
)
from bankapp.storage.private_files import exposure_warnings
from bankapp.storage.process_options import (
    BUSY_TIMEOUT_MS,
    CONFIG,
    DATABASE_URL,
    HOME,
    KEY_FILE,
    LOG_DIR,
    SECRET_KEY,
    process_options,
)


def shown_url(url: str) -> str:
    """The database URL with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(not a database URL)"


def where_rows(explicit_db: str | None, url: str) -> list[tuple[str, str, str]]:
    """(what, value, where it came from) for every option the process uses."""
    options = process_options()
    home_default = "the checkout's data/" if running_from_checkout() else "the user's data folder"
    key_source = next(
        (name for name in (SECRET_KEY, KEY_FILE) if name in options.given),
        "beside the database" if sqlite_path(url) else "the data folder",
    )
    return [
        ("data folder", str(data_home()), HOME if HOME in options.given else home_default),
        (
            "database",
            shown_url(url),
            "--db" if explicit_db else options.source(DATABASE_URL),
        ),
        ("installation key", key_location(url), key_source),
        ("config", str(config_path()), options.source(CONFIG)),
        ("logs", str(log_directory()), options.source(LOG_DIR)),
        ("exports", str(export_directory()), "the data folder"),
        ("busy timeout", f"{options.busy_timeout_ms} ms", options.source(BUSY_TIMEOUT_MS)),
    ]


def cmd_where(args: argparse.Namespace, url: str) -> int:
    rows = where_rows(args.db, url)
    name_width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    for name, value, source in rows:
        print(f"{name:<{name_width}}  {value:<{value_width}}  ({source})")
    database = sqlite_path(url)
    checked = [p for p in (database, key_path(url), log_directory() / "bankapp.log") if p]
    for warning in exposure_warnings(*(Path(p) for p in checked)):
        print(warning)
    return 0
