"""The `bankapp` command: start the UI, create and check databases, manage users."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date

from bankapp import __version__
from bankapp.bank import open_bank
from bankapp.cli.database_commands import (
    cmd_audit,
    cmd_close_day,
    cmd_demo,
    cmd_init,
    cmd_rotate_key,
    cmd_verify,
)
from bankapp.cli.export_commands import add_export_parsers, cmd_export_ledger, cmd_statement
from bankapp.cli.serve import add_serve_parser, cmd_serve
from bankapp.cli.user_commands import cmd_create_user, cmd_unlock
from bankapp.cli.where import cmd_where
from bankapp.domain.types import Role
from bankapp.errors import BankError
from bankapp.incidents import configure_logging, report_unexpected
from bankapp.storage.engine import database_url_from_env

EXIT_OK, EXIT_FAULT, EXIT_ERROR, EXIT_USAGE = 0, 1, 2, 64


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bankapp", description="Terminal banking with a double-entry ledger."
    )
    parser.add_argument("--version", action="version", version=f"bankapp {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $BANKAPP_DATABASE_URL or sqlite:///data/bank.db)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("init", help="create the database or upgrade it to this version's schema")
    demo = sub.add_parser("demo", help="create a demo database with users, accounts and history")
    demo.add_argument("--force", action="store_true", help="replace an existing database")
    demo.add_argument("--seed", type=int, default=2026, help="random seed for the history")
    user = sub.add_parser("create-user", help="create a user (asks for the password)")
    user.add_argument("username")
    user.add_argument("--role", choices=[r.value for r in Role], default=Role.CUSTOMER.value)
    user.add_argument("--full-name", required=True)
    user.add_argument("--email", required=True)
    user.add_argument("--phone", default="")
    user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts)",
    )
    unlock = sub.add_parser("unlock", help="clear a user's failed sign-ins and lockout")
    unlock.add_argument("username")
    verify = sub.add_parser(
        "verify", help="check ledger and audit invariants; exit 1 on a fault, 2 without the key"
    )
    verify.add_argument(
        "--since-seal", action="store_true", help="check only what happened after the last seal"
    )
    audit_cmd = sub.add_parser("audit", help="audit log commands")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_verify = audit_sub.add_parser("verify", help="check the audit chain only")
    audit_verify.add_argument(
        "--seal", metavar="LINE", help="prove that nothing up to this seal line changed"
    )
    seal = audit_sub.add_parser("seal", help="seal the books now and print the seal line")
    seal.add_argument(
        "--date", type=_business_date, default=None, help="business date (default: today)"
    )
    sub.add_parser("where", help="print every path in use (database, key, config, logs, exports)")
    close = sub.add_parser(
        "close-day", help="close of business: clearing, settlement, orders, interest, seal"
    )
    close.add_argument(
        "--date", type=_business_date, default=None, help="business date (default: today)"
    )
    sub.add_parser("rotate-key", help="make a new installation key current (the old one is kept)")
    add_serve_parser(sub)
    add_export_parsers(sub)
    return parser


def _business_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("use YYYY-MM-DD") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # --help, --version and bad arguments end here: no files
    configure_logging()
    url = database_url_from_env(args.db)
    handlers: dict[str | None, Callable[[argparse.Namespace, str], int]] = {
        None: cmd_ui,
        "init": cmd_init,
        "demo": cmd_demo,
        "create-user": cmd_create_user,
        "unlock": cmd_unlock,
        "verify": cmd_verify,
        "audit": cmd_audit,
        "rotate-key": cmd_rotate_key,
        "close-day": cmd_close_day,
        "where": cmd_where,
        "serve": cmd_serve,
        "statement": cmd_statement,
        "export-ledger": cmd_export_ledger,
    }
    try:
        return handlers[args.command](args, url)
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


def cmd_ui(args: argparse.Namespace, url: str) -> int:
    bank = open_bank(url)
    try:
        from screens.app import run_app  # the UI is imported only when it is started
    except ModuleNotFoundError as exc:
        if exc.name not in ("screens", "screens.app"):
            raise
        print(f"bankapp: the terminal UI is not installed; database {url} is ready.")
        return EXIT_OK
    return run_app(bank)


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
