"""`bankapp where`: every path bankapp uses, and whether each is private."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url

from bankapp.storage.engine import sqlite_path
from bankapp.storage.installation_key import key_location, key_path
from bankapp.storage.locations import config_path, data_home, export_directory, log_directory
from bankapp.storage.private_files import exposure_warnings


def shown_url(url: str) -> str:
    """The database URL with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(not a database URL)"


def cmd_where(args: argparse.Namespace, url: str) -> int:
    rows = [
        ("data folder", str(data_home())),
        ("database", shown_url(url)),
        ("installation key", key_location(url)),
        ("config", str(config_path())),
        ("logs", str(log_directory())),
        ("exports", str(export_directory())),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    database = sqlite_path(url)
    checked = [p for p in (database, key_path(url), log_directory() / "bankapp.log") if p]
    for warning in exposure_warnings(*(Path(p) for p in checked)):
        print(warning)
    return 0
