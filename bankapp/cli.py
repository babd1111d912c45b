"""The `bankapp` command: start the UI, create and check databases, manage users."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bankapp import __version__
from bankapp.bank import Bank, open_bank
from bankapp.cli_exports import add_export_parsers, cmd_export_ledger, cmd_statement
from bankapp.domain import Role
from bankapp.errors import BankError, ValidationFailed
from bankapp.incidents import configure_logging, report_unexpected
from bankapp.keys import installation_key, key_location
from bankapp.serve import add_serve_parser, cmd_serve
from bankapp.storage.engine import database_url_from_env, make_engine, sqlite_path

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
    sub.add_parser("verify", help="check ledger and audit invariants; exit 1 on any fault")
    audit_cmd = sub.add_parser("audit", help="audit log commands")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_sub.add_parser("verify", help="check the audit hash chain only")
    add_serve_parser(sub)
    add_export_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    url = database_url_from_env(args.db)
    handlers: dict[str | None, Callable[[argparse.Namespace, str], int]] = {
        None: cmd_ui,
        "init": cmd_init,
        "demo": cmd_demo,
        "create-user": cmd_create_user,
        "unlock": cmd_unlock,
        "verify": cmd_verify,
        "audit": cmd_audit_verify,
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


def cmd_init(args: argparse.Namespace, url: str) -> int:
    _ensure_default_folder(url)
    bank = open_bank(url, create=True)
    bank.close()
    print(f"bankapp: database ready at {_shown(url)}")
    installation_key(url)
    print(f"bankapp: installation key in {key_location(url)} (back it up apart from the database)")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, url: str) -> int:
    from bankapp.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS, build_demo

    _ensure_default_folder(url)
    _replace_existing(url, force=args.force)
    bank = open_bank(url, create=True)
    try:
        build_demo(bank, seed=args.seed)
        report = bank.verify()
    finally:
        bank.close()
    print(f"bankapp: demo database created at {_shown(url)}")
    print(f"  {report.entries} journal entries, {report.postings} postings, ledger verified")
    print(f"  sign in as any of: {', '.join(u.username for u in DEMO_USERS)}")
    print(f"  password for all demo users: {DEMO_PASSWORD}")
    print("  staff also type a TOTP code; demo authenticator keys (README: Demo sign-ins):")
    for name, key in DEMO_TOTP_SECRETS.items():
        print(f"    {name}: {key}")
    return EXIT_OK


def cmd_create_user(args: argparse.Namespace, url: str) -> int:
    bank = open_bank(url)
    try:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Repeat password: ") != password:
                raise ValidationFailed("The two passwords do not match.")
        user = bank.auth.create_user(
            None,
            username=args.username,
            password=password,
            role=args.role,
            full_name=args.full_name,
            email=args.email,
            phone=args.phone,
            must_change_password=args.role != Role.CUSTOMER.value,
        )
    finally:
        bank.close()
    print(f"bankapp: created {user.role.value} {user.username!r} (id {user.id})")
    return EXIT_OK


def cmd_unlock(args: argparse.Namespace, url: str) -> int:
    bank = open_bank(url)
    try:
        user = bank.auth.unlock(None, args.username)
    finally:
        bank.close()
    print(f"bankapp: {user.username} unlocked")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, url: str) -> int:
    bank = open_bank(url)
    try:
        report = bank.verify()
    finally:
        bank.close()
    print(
        f"accounts: {report.accounts}  journal entries: {report.entries}  "
        f"postings: {report.postings}  audit events: {report.audit_events}"
    )
    if report.ok:
        print("OK: every balance equals its postings, every entry balances, audit chain intact")
        return EXIT_OK
    print(f"FAULT: {len(report.problems)} problem(s) found")
    for problem in report.problems:
        print(f"  - {problem}")
    return EXIT_FAULT


def cmd_audit_verify(args: argparse.Namespace, url: str) -> int:
    bank: Bank = open_bank(url)
    try:
        report = bank.verify_audit()
    finally:
        bank.close()
    if report.ok:
        print(f"OK: audit chain intact ({report.events} events)")
        return EXIT_OK
    print(f"FAULT: audit chain broken after checking {report.events} events")
    for problem in report.problems:
        print(f"  - {problem}")
    return EXIT_FAULT


def _ensure_default_folder(url: str) -> None:
    """Create `data/` for the default database; any other folder must already exist."""
    path = sqlite_path(url)
    if path is not None and path.parent == Path("data") and not path.parent.exists():
        path.parent.mkdir(parents=True)


def _replace_existing(url: str, *, force: bool) -> None:
    path = sqlite_path(url)
    if path is not None:
        if path.exists():
            if not force:
                raise ValidationFailed(
                    f"{path} already exists; use `bankapp demo --force` to replace it."
                )
            make_engine(url)  # refuses (with a clear error) a file that is not ours
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = make_engine(url)
    try:
        from sqlalchemy import inspect

        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
        if tables and not force:
            raise ValidationFailed("The database is not empty; use --force to replace it.")
        if tables:
            from bankapp.storage.models import Base

            with engine.begin() as conn:
                Base.metadata.drop_all(conn)
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    finally:
        engine.dispose()


def _shown(url: str) -> str:
    path = sqlite_path(url)
    return str(path) if path is not None else url.split("@")[-1]


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
