"""`bankapp init`, `demo`, `verify` and `audit verify`: create, fill and check a database."""

from __future__ import annotations

import argparse
from pathlib import Path

from bankapp.bank import Bank, open_bank
from bankapp.errors import ValidationFailed
from bankapp.storage.engine import make_engine, sqlite_path
from bankapp.storage.installation_key import installation_key, key_location

EXIT_OK, EXIT_FAULT = 0, 1


def cmd_init(args: argparse.Namespace, url: str) -> int:
    _ensure_default_folder(url)
    bank = open_bank(url, create=True)
    bank.close()
    print(f"bankapp: database ready at {_shown(url)}")
    installation_key(url)
    print(f"bankapp: installation key in {key_location(url)} (back it up apart from the database)")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, url: str) -> int:
    from bankapp.demo.build import build_demo
    from bankapp.demo.logins import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS

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
