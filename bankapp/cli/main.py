"""The `bankapp` command: start the UI, create and check databases, manage users."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bankapp.cli.parser import build_parser
from bankapp.errors import BankError
from bankapp.incidents import configure_logging, report_unexpected

if TYPE_CHECKING:
    from bankapp.bank import Bank

EXIT_OK, EXIT_FAULT, EXIT_ERROR, EXIT_USAGE = 0, 1, 2, 64


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # --help, --version and bad arguments end here: no files
    try:
        configure_logging()  # reads the environment first: a bad BANKAPP_* value stops here
        from bankapp.storage.locations import database_url_from_env

        handler = _handler(args.command)
        url = database_url_from_env(args.db)
        return handler(args, url)
    except BankError as exc:
        print(f"bankapp: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("bankapp: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback on the user's terminal
        incident = report_unexpected(exc)
        print(
            f"bankapp: unexpected error (incident {incident}; details in the log)", file=sys.stderr
        )
        return EXIT_ERROR


# Each command's module is imported only when that command runs.
_HANDLERS = {
    None: ("bankapp.cli.main", "cmd_ui"),
    "init": ("bankapp.cli.database_commands", "cmd_init"),
    "demo": ("bankapp.cli.database_commands", "cmd_demo"),
    "create-user": ("bankapp.cli.user_commands", "cmd_create_user"),
    "unlock": ("bankapp.cli.user_commands", "cmd_unlock"),
    "verify": ("bankapp.cli.database_commands", "cmd_verify"),
    "audit": ("bankapp.cli.database_commands", "cmd_audit"),
    "rotate-key": ("bankapp.cli.database_commands", "cmd_rotate_key"),
    "close-day": ("bankapp.cli.database_commands", "cmd_close_day"),
    "where": ("bankapp.cli.where", "cmd_where"),
    "settings": ("bankapp.cli.settings_commands", "cmd_settings"),
    "backup": ("bankapp.cli.backup_commands", "cmd_backup"),
    "restore": ("bankapp.cli.backup_commands", "cmd_restore"),
    "serve": ("bankapp.cli.serve", "cmd_serve"),
    "statement": ("bankapp.cli.export_commands", "cmd_statement"),
    "export-ledger": ("bankapp.cli.export_commands", "cmd_export_ledger"),
}


def _handler(command: str | None) -> Callable[[argparse.Namespace, str], int]:
    module, name = _HANDLERS[command]
    handler: Callable[[argparse.Namespace, str], int] = getattr(
        importlib.import_module(module), name
    )
    return handler


def cmd_ui(args: argparse.Namespace, url: str) -> int:
    """The terminal UI. The sign-in screen is shown first and the bank opened behind it (the
    service layer is imported then), so a database that cannot be used is said there."""

    def open_it() -> Bank:
        from bankapp.bank import open_bank

        return open_bank(url)

    try:
        from screens.app import run_app  # the UI is imported only when it is started
    except ModuleNotFoundError as exc:
        if exc.name not in ("screens", "screens.app"):
            raise
        open_it().close()
        print(f"bankapp: the terminal UI is not installed; database {url} is ready.")
        return EXIT_OK
    return run_app(open_it)


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
