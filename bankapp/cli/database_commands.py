"""`bankapp init`, `demo`, `verify`, `audit verify|seal` and `rotate-key`: create, fill,
check and seal a database, and rotate its key."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bankapp.errors import ValidationFailed
from bankapp.storage.backup import back_up
from bankapp.storage.engine import make_engine, sqlite_path
from bankapp.storage.installation_key import installation_key, key_location, key_path
from bankapp.storage.locations import data_home
from bankapp.storage.private_files import exposure_warnings, private_folder
from bankapp.storage.roles import describe_role
from bankapp.storage.schema import (
    database_revision,
    head_revision,
    refuse_newer,
    revisions_after,
)

if TYPE_CHECKING:
    from bankapp.bank import Bank

EXIT_OK, EXIT_FAULT = 0, 1


def cmd_init(args: argparse.Namespace, url: str) -> int:
    from bankapp.bank import open_bank

    _ensure_default_folder(url)
    upgrading = _before_upgrade(url, backup=not getattr(args, "no_backup", False))
    bank = open_bank(url, create=True)
    try:
        if upgrading is not None:
            _after_upgrade(bank, upgrading)
        cancelled = bank.operator.cancel_cards_of_closed_accounts()
        if cancelled:
            print(
                f"bankapp: cancelled {len(cancelled)} card(s) still active on closed accounts "
                f"(left so by an earlier build; audited): {', '.join(cancelled)}"
            )
        print(f"bankapp: database ready at {_shown(url)}")
        print(f"bankapp: {bank.db.read(lambda tx: describe_role(tx.conn))}")
        database = sqlite_path(url)
        for warning in exposure_warnings(*([database] if database else []), key_path(url)):
            print(f"bankapp: {warning}")
        installation_key(url)
        print(
            f"bankapp: installation key in {key_location(url)} (back it up apart from the database)"
        )
    finally:
        bank.close()
    return EXIT_OK


def _before_upgrade(url: str, *, backup: bool) -> str | None:
    """An existing database at an older revision: say so and back it up (unless told not
    to); its revision, or None when there is nothing to upgrade."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = make_engine(url)
    try:
        revision = database_revision(engine)
    finally:
        engine.dispose()
    if revision is None or revision == head_revision():
        return None
    refuse_newer(revision)  # before any backup: a newer bankapp's database is not touched
    print(f"bankapp: the database is at revision {revision}; this bankapp's is {head_revision()}")
    if backup:
        made = back_up(url, None, datetime.now())
        if isinstance(made, list):
            raise ValidationFailed(
                "pg_dump is not installed here, so the database cannot be backed up before the "
                f"upgrade. Back it up with `{' '.join(made)}`, then run `bankapp init "
                "--no-backup`."
            )
        print(f"bankapp: backed up first to {made.path}")
    return revision


def _after_upgrade(bank: Bank, revision: str) -> None:
    print("bankapp: upgraded; what changed:")
    for number, description in revisions_after(revision):
        print(f"  {number}: {description}")
    report = bank.verify()
    if report.problems:
        raise ValidationFailed(
            f"The upgraded database does not verify ({report.problems[0]}); restore the backup "
            "and report this."
        )
    print(
        f"bankapp: verified after the upgrade: {report.entries} entries, {report.postings} postings"
    )


def cmd_demo(args: argparse.Namespace, url: str) -> int:
    from bankapp.bank import open_bank
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


EXIT_UNCHECKED = 2


def cmd_verify(args: argparse.Namespace, url: str) -> int:
    from bankapp.checks import verify_database

    report = verify_database(url, since_seal=getattr(args, "since_seal", False), parallel=True)
    if report.since_seal:
        print(f"since the seal {report.since_seal}")
    print(
        f"accounts: {report.accounts}  journal entries: {report.entries}  "
        f"postings: {report.postings}  audit events checked: {report.audit_events}"
    )
    if report.problems:
        print(f"FAULT: {len(report.problems)} problem(s) found")
        for problem in report.problems:
            print(f"  - {problem}")
        return EXIT_FAULT
    if report.unchecked:
        print(f"NOT VERIFIED: {report.unchecked}")
        return EXIT_UNCHECKED
    print(
        "OK: every balance equals its postings, every entry balances and matches its audit "
        "event, audit chain intact"
    )
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, url: str) -> int:
    from bankapp.bank import open_bank

    if args.audit_command == "seal":
        return _cmd_audit_seal(args, url)
    if getattr(args, "seal", None):
        return _cmd_audit_check_seal(args.seal, url)
    bank: Bank = open_bank(url, check_key=False)
    try:
        report = bank.verify_audit()
    finally:
        bank.close()
    if report.problems:
        print(f"FAULT: audit chain broken after checking {report.events} events")
        for problem in report.problems:
            print(f"  - {problem}")
        return EXIT_FAULT
    if report.unchecked:
        print(f"NOT VERIFIED: {report.unchecked} ({report.events} events in order)")
        return EXIT_UNCHECKED
    print(f"OK: audit chain intact ({report.events} events)")
    return EXIT_OK


def _cmd_audit_seal(args: argparse.Namespace, url: str) -> int:
    from bankapp.bank import open_bank

    bank = open_bank(url)
    try:
        seal = bank.operator.seal(args.date)
    finally:
        bank.close()
    print(f"sealed {seal.business_date}: audit seq {seal.seq}, {seal.postings} postings")
    print("write this line down or send it elsewhere; `bankapp audit verify --seal LINE`")
    print("proves later that nothing up to it changed:")
    print(seal.line)
    return EXIT_OK


def _cmd_audit_check_seal(line: str, url: str) -> int:
    from bankapp.bank import open_bank

    bank = open_bank(url, check_key=False)
    try:
        problems = bank.operator.check_seal(line)
    finally:
        bank.close()
    if problems:
        print("FAULT: the books do not match the seal")
        for problem in problems:
            print(f"  - {problem}")
        return EXIT_FAULT
    print("OK: nothing up to the seal has changed")
    return EXIT_OK


def cmd_rotate_key(args: argparse.Namespace, url: str) -> int:
    from bankapp.bank import open_bank

    bank = open_bank(url)
    try:
        fingerprint = bank.operator.rotate_key()
        where = key_location(url)
    finally:
        bank.close()
    print(f"bankapp: new installation key {fingerprint} is current ({where});")
    print("  the old key stays in the file after it (cards and codes made under it still work).")
    print("  Copy the key file to every workstation now: without it they refuse to start.")
    return EXIT_OK


def _ensure_default_folder(url: str) -> None:
    """Create the data folder (0700) for the default database; any other folder must already
    exist."""
    path = sqlite_path(url)
    if path is not None and path.parent == data_home() and not path.parent.exists():
        private_folder(path.parent)


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
            from bankapp.storage.models import metadata

            with engine.begin() as conn:
                metadata.drop_all(conn)
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    finally:
        engine.dispose()


def _shown(url: str) -> str:
    path = sqlite_path(url)
    return str(path) if path is not None else url.split("@")[-1]


def cmd_close_day(args: argparse.Namespace, url: str) -> int:
    """`bankapp close-day [--date D]`: close the business date (and any day before it not yet
    closed), printing each step as it goes and the end-of-day summary."""
    from bankapp.bank import open_bank

    bank = open_bank(url)
    shown: list[str] = []

    def progress(state: Any) -> None:
        line = f"  {state.business_date} step {state.step}/{state.steps}: {state.label}"
        if not shown or shown[-1] != line:
            print(line, flush=True)
            shown.append(line)

    try:
        closed = bank.operator.close_day(args.date, progress=progress)
    finally:
        bank.close()
    for day in closed:
        status = "was already closed" if day.already_closed else "closed"
        print(f"business date {day.business_date} {status}")
        for step in day.steps:
            amount = f", {bank.ctx.money(step.total)}" if step.total else ""
            extra = f" ({step.skipped} skipped or waiting)" if step.skipped else ""
            print(f"  {step.label}: {step.items}{amount}{extra}")
        print(f"  seal: {day.seal_line}")
    return EXIT_OK
