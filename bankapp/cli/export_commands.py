"""`bankapp statement` and `bankapp export-ledger`: exports from the command line.

The CLI acts for a signed-in user: `--user NAME` asks for that user's password (or reads it from
standard input with `--password-stdin`) and signs in like the app does (failures are counted,
throttled and audited), so a customer gets only their own accounts and a teller only what a
teller may see. `export-ledger` without `--user` runs as the local operator, who already holds
the database itself (like `bankapp verify`), and exports the whole bank; it is audited as
"operator".
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bankapp.bank import Bank, open_bank
from bankapp.domain.money import format_cents
from bankapp.domain.types import Actor
from bankapp.errors import PermissionDenied, ValidationFailed
from bankapp.exports.files import export_statement
from bankapp.services.statements import StatementPeriod


def sign_in(bank: Bank, username: str, *, password_stdin: bool) -> Actor:
    """Sign in as `username` with a password from the terminal or standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {username}: ")
    result = bank.auth.login(username, password)
    if result.second_factor_required:  # staff, and customers who opted in
        code = (sys.stdin.readline() if password_stdin else input("Authenticator code: ")).strip()
        result = bank.auth.complete_second_factor(result.actor, code)
    if not result.signed_in:
        bank.auth.sign_out(result.actor)
        if result.totp_enrolment_required:
            raise PermissionDenied("Sign in to the app once to set up your second factor.")
        raise PermissionDenied("Change your password in the app before exporting.")
    return result.actor


@contextmanager
def signed_in(bank: Bank, username: str, *, password_stdin: bool) -> Iterator[Actor]:
    """A session for one command, ended when the command is done."""
    actor = sign_in(bank, username, password_stdin=password_stdin)
    try:
        yield actor
    finally:
        bank.auth.sign_out(actor)


def statement_period(args: argparse.Namespace, bank: Bank) -> StatementPeriod:
    if args.period and (args.first_day or args.last_day):
        raise ValidationFailed("Give either --period or --from/--to, not both.")
    if args.period:
        return bank.statements.period(args.period)
    if not (args.first_day and args.last_day):
        raise ValidationFailed("Give --from and --to (YYYY-MM-DD), or --period.")
    return StatementPeriod.parse(args.first_day, args.last_day)


def cmd_statement(args: argparse.Namespace, url: str) -> int:
    if args.reprint is not None and (args.account or args.period or args.first_day):
        raise ValidationFailed("--reprint takes no account or period; the statement has them.")
    if args.reprint is None and not args.account:
        raise ValidationFailed("Give the ACCOUNT number (or --reprint NUMBER).")
    bank = open_bank(url)
    try:
        period = statement_period(args, bank) if args.reprint is None else None
        with signed_in(bank, args.user, password_stdin=args.password_stdin) as actor:
            if period is None:
                document = bank.statements.reprint(actor, args.reprint)
            else:
                account_id = bank.statements.account_id_for_number(actor, args.account)
                document = bank.statements.generate(actor, account_id, period)
        path = export_statement(document, args.format, args.out)
    finally:
        bank.close()
    summary = document.summary
    period = summary.period
    money = summary.currency
    print(f"bankapp: statement {document.statement_id} for {summary.masked_number}, {period.label}")
    print(
        f"  opening {format_cents(summary.opening_balance, money)}  "
        f"in {format_cents(summary.total_in, money)}  "
        f"out {format_cents(summary.total_out, money)}  "
        f"closing {format_cents(summary.closing_balance, money)}  "
        f"({summary.line_count} transactions)"
    )
    print(f"  written to {path}")
    return 0


def cmd_export_ledger(args: argparse.Namespace, url: str) -> int:
    from bankapp.exports.beancount import export_ledger

    bank = open_bank(url)
    try:
        if args.user:
            with signed_in(bank, args.user, password_stdin=args.password_stdin) as actor:
                result = export_ledger(bank.ctx, actor, args.out)
        else:
            result = export_ledger(bank.ctx, None, args.out)
    finally:
        bank.close()
    scope = "the whole bank" if result.scope == "bank" else f"the accounts of {args.user}"
    print(
        f"bankapp: ledger of {scope}: {len(result.balances)} accounts, "
        f"{result.entries} entries, {result.postings} postings"
    )
    print(f"  written to {result.path} (check it with: bean-check {result.path})")
    return 0
