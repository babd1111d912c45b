"""Unexpected failures: log the traceback with an incident id; the user is shown only the id."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("bankapp")


def log_directory() -> Path:
    from bankapp.storage.locations import log_directory as where

    return where()


def configure_logging() -> None:
    """Log to `logs/bankapp.log` in the data folder (or BANKAPP_LOG_DIR), 0600 in a 0700
    folder; never to the terminal the UI owns."""
    from bankapp.storage.private_files import private_folder

    if log.handlers:
        return
    try:
        directory = log_directory()
        private_folder(directory)
        target = directory / "bankapp.log"
        if not target.exists():  # 0600 before the handler opens it
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        handler: logging.Handler = logging.FileHandler(target, encoding="utf-8")
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
