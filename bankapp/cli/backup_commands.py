"""`bankapp backup` and `bankapp restore`: a consistent copy of the live database, and putting
one back (upgraded to this version's schema, then verified)."""

from __future__ import annotations

import argparse
import shlex
from datetime import datetime
from pathlib import Path

from bankapp.storage.backup import BackupInfo, back_up, restore
from bankapp.storage.schema import head_revision

EXIT_OK, EXIT_FAULT = 0, 1


def cmd_backup(args: argparse.Namespace, url: str) -> int:
    made = back_up(url, Path(args.out) if args.out else None, datetime.now())
    if isinstance(made, list):
        print("bankapp: pg_dump is not installed here; run this where it is:")
        print(f"  {_shell(made)}")
        return EXIT_OK
    print(f"bankapp: backup written to {made.path} (private: 0600)")
    _describe(made)
    print("bankapp: the installation key is not in the backup; keep a copy of it apart")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, url: str) -> int:
    from bankapp.bank import open_bank

    done = restore(Path(args.file), url, force=args.force)
    if isinstance(done, list):
        print(
            "bankapp: pg_restore is not installed here; run this where it is, then "
            "`bankapp init` and `bankapp verify`:"
        )
        print(f"  {_shell(done)}")
        return EXIT_OK
    print(f"bankapp: restored {done.path}")
    _describe(done)
    if done.revision and done.revision != head_revision():
        print(
            f"bankapp: the backup is at revision {done.revision}; upgrading it to {head_revision()}"
        )
    bank = open_bank(url, create=True, check_key=False)
    try:
        report = bank.verify()
    finally:
        bank.close()
    if report.problems:
        print(f"bankapp: verify FAILED after the restore ({len(report.problems)} problems):")
        for problem in report.problems:
            print(f"  - {problem}")
        return EXIT_FAULT
    if report.unchecked:
        print(f"bankapp: books verified; {report.unchecked} (install the backup's key)")
        return EXIT_OK
    print(
        f"bankapp: verified: {report.entries} entries, {report.postings} postings, "
        f"{report.audit_events} audit events"
    )
    return EXIT_OK


def _describe(info: BackupInfo) -> None:
    if info.kind == "sqlite":
        print(
            f"  schema revision {info.revision}; key fingerprint "
            f"{(info.key_fingerprint or 'none')[:16]}"
        )
    else:
        print("  PostgreSQL dump (custom format): schema revision and key fingerprint inside")


def _shell(command: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)
