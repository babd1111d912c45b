"""Unexpected failures: log the traceback with an incident id; the user is shown only the id."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("bankapp")


def log_directory() -> Path:
    return Path(os.environ.get("BANKAPP_LOG_DIR", "data/logs"))


def configure_logging() -> None:
    """Log to data/logs/bankapp.log (or BANKAPP_LOG_DIR); never to the terminal the UI owns."""
    if log.handlers:
        return
    try:
        directory = log_directory()
        directory.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(directory / "bankapp.log", encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def report_unexpected(exc: BaseException) -> str:
    """Log `exc` with a fresh incident id and return the id to show the user."""
    incident = secrets.token_hex(4)
    log.error("incident %s: %s", incident, type(exc).__name__, exc_info=exc)
    return incident
