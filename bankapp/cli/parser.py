"""The `bankapp` command's arguments. Imported before anything else, so `--help`, `--version`
and a mistyped argument answer at once: nothing here imports SQLAlchemy, the services or the
UI (a test holds that line)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import Any

from bankapp.cli.serve import add_serve_parser
from bankapp.domain.statement_types import Preset, StatementFormat
from bankapp.domain.types import Role


class _Version(argparse.Action):
    """`--version`: the package metadata is read only when asked for."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        import bankapp

        print(f"bankapp {bankapp.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bankapp", description="Terminal banking with a double-entry ledger."
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $BANKAPP_DATABASE_URL or sqlite:///data/bank.db)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    init = sub.add_parser(
        "init", help="create the database or upgrade it (backed up first) to this version"
    )
    init.add_argument(
        "--no-backup", action="store_true", help="upgrade without backing the database up first"
    )
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
    backup = sub.add_parser(
        "backup", help="copy the live database (SQLite online backup, or pg_dump) to a file"
    )
    backup.add_argument("--out", metavar="FILE", help="where (default: the data folder's backups/)")
    restore = sub.add_parser(
        "restore", help="put a backup in place as the database (--db), upgrade it, verify it"
    )
    restore.add_argument("file", metavar="FILE", help="a file `bankapp backup` wrote")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds a bank"
    )
    settings = sub.add_parser(
        "settings", help="show or change the installation settings (limits, timeouts, rates)"
    )
    settings_sub = settings.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    settings_sub.add_parser("show", help="every setting, its value and who last changed it")
    setting = settings_sub.add_parser(
        "set", help="change a setting now, as the local operator (audited)"
    )
    setting.add_argument("name", metavar="NAME", help="a name from `bankapp settings show`")
    setting.add_argument("value", metavar="VALUE", help="e.g. 1,500.00, 10 or 2.5 (percent)")
    sub.add_parser("rotate-key", help="make a new installation key current (the old one is kept)")
    add_serve_parser(sub)
    add_export_parsers(sub)
    return parser


def _business_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("use YYYY-MM-DD") from None


_PRESETS = [p.value for p in Preset if p != Preset.CUSTOM]


def add_export_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `statement` and `export-ledger` on the CLI's sub-command parser."""
    statement = sub.add_parser(
        "statement",
        help="write an account statement as CSV or PDF (signs in as --user)",
        description="Write a statement for ACCOUNT (its number) over --from/--to (both days "
        "included, UTC) or a --period, as the user --user.",
    )
    statement.add_argument(
        "account", metavar="ACCOUNT", nargs="?", help="account number (spaces allowed)"
    )
    statement.add_argument(
        "--reprint",
        type=int,
        metavar="NUMBER",
        help="print statement NUMBER again, exactly as first generated",
    )
    statement.add_argument(
        "--from", dest="first_day", metavar="YYYY-MM-DD", help="first day of the period"
    )
    statement.add_argument(
        "--to", dest="last_day", metavar="YYYY-MM-DD", help="last day of the period (included)"
    )
    statement.add_argument(
        "--period", choices=_PRESETS, help="a preset period instead of --from/--to"
    )
    statement.add_argument("--format", choices=[f.value for f in StatementFormat], default="pdf")
    _add_common(statement, user_required=True)
    ledger = sub.add_parser(
        "export-ledger",
        help="write the ledger as a Beancount file (a customer: own accounts; an admin or the "
        "local operator: the whole bank)",
    )
    ledger.add_argument("--format", choices=["beancount"], default="beancount")
    _add_common(ledger, user_required=False)


def _add_common(parser: argparse.ArgumentParser, *, user_required: bool) -> None:
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="folder for the file (default: the exports folder `bankapp where` shows)",
    )
    parser.add_argument(
        "--user",
        required=user_required,
        metavar="USERNAME",
        help="sign in as this user (the password is asked)"
        + ("" if user_required else "; without it, the local operator"),
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts)",
    )
