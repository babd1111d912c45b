"""The ledger as a Beancount file, so an independent program (`bean-check`) can audit our books.

An admin (or the local operator) exports the whole bank from the bank's side: customer accounts
are liabilities, internal accounts (cash, drawers, settlement) assets, and every amount is
negated from bankapp's holder-side sign. A customer exports their own accounts from their side
(assets, or a liability for a credit card); what moved to or from anyone else is booked to
`Equity:External`. The file ends with a `balance` assertion per account, taken from the stored
running balance, which `bean-check` proves against its own sums.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from bankapp.domain.money import cents_to_decimal_string
from bankapp.domain.types import AccountKind, Actor, Caller, Role
from bankapp.errors import PermissionDenied
from bankapp.exports.files import export_folder
from bankapp.services import audit
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, JournalEntry, Posting

_accounts = Account
_entries = JournalEntry
_postings = Posting
EXTERNAL = "Equity:External"
BATCH = 5_000


@dataclass
class LedgerExport:
    """What was written: the file, its scope, and each exported account's balance as the file
    asserts it (Beancount account name -> cents, in the file's sign)."""

    path: Path
    scope: str  # "bank" or "customer"
    entries: int = 0
    postings: int = 0
    balances: dict[str, int] = field(default_factory=dict)
    account_ids: dict[str, int] = field(default_factory=dict)


def ledger_filename(scope: str, who: str, now: datetime) -> str:
    return f"ledger-{scope}-{_slug(who).lower()}-{now:%Y%m%d-%H%M%S}.beancount"


def export_ledger(
    ctx: ServiceContext, actor: Actor | None, folder: str | Path | None = None
) -> LedgerExport:
    """Write the ledger the actor may see; `actor=None` is the local operator (whole bank)."""

    def work(tx: Tx, caller: Caller | None) -> LedgerExport:
        whole_bank = _whole_bank(caller)
        target_dir = export_folder(folder)
        scope = "bank" if whole_bank else "customer"
        who = caller.username if caller else "operator"
        path = target_dir / ledger_filename(scope, who, tx.now)
        partial = path.with_name(".partial-" + path.name)
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                result = _write(tx, out, caller, whole_bank, ctx.settings.bank_name, path)
            partial.replace(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return result

    def audited(tx: Tx, caller: Caller | None, result: LedgerExport) -> None:
        details = {"file": result.path.name, "entries": result.entries, "postings": result.postings}
        audit.record(
            tx, caller, "ledger.export", f"ledger {result.scope}", details, actor_name="operator"
        )

    if actor is None:
        done = ctx.db.read(lambda tx: work(tx, None))
        ctx.db.write(lambda tx: audited(tx, None, done))
        return done
    result = ctx.read_as(actor, work)
    ctx.write_as(actor, lambda tx, caller: audited(tx, caller, result))
    return result


def _whole_bank(actor: Caller | None) -> bool:
    if actor is None:
        return True
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.CUSTOMER:
        return False
    raise PermissionDenied("Only a supervisor (admin) can export the bank's ledger.")


class _Names:
    """Beancount account names for bankapp accounts, unique and valid."""

    def __init__(self, whole_bank: bool) -> None:
        self.whole_bank = whole_bank
        self.by_id: dict[int, str] = {}

    def add(self, row: Any) -> str:
        if row.kind == AccountKind.INTERNAL:
            name = f"Assets:Internal:{_slug(row.internal_code or row.name)}"
        elif self.whole_bank:
            name = f"Liabilities:Customers:{_slug(row.kind)}-{row.number}"
        elif row.kind == AccountKind.CREDIT_CARD:
            name = f"Liabilities:Bankapp:{_slug(row.kind)}-{row.number}"
        else:
            name = f"Assets:Bankapp:{_slug(row.kind)}-{row.number}"
        if name in self.by_id.values():
            name = f"{name}-{row.id}"
        self.by_id[row.id] = name
        return name


def _slug(text: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", str(text)) if p]
    slug = "-".join(p[:1].upper() + p[1:] for p in parts) or "Account"
    return slug if slug[0].isalpha() else "A" + slug


def _write(
    tx: Tx, out: TextIO, actor: Caller | None, whole_bank: bool, bank_name: str, path: Path
) -> LedgerExport:
    query = select(_accounts).order_by(_accounts.c.id)
    if not whole_bank:
        assert actor is not None
        query = query.where(_accounts.c.owner_id == actor.user_id)
    accounts = tx.conn.execute(query).all()
    names = _Names(whole_bank)
    result = LedgerExport(path, "bank" if whole_bank else "customer")
    title = (
        bank_name if whole_bank else f"{bank_name}: accounts of {actor.username if actor else ''}"
    )
    out.write(f"; Exported by bankapp at {tx.now:%Y-%m-%d %H:%M:%S} UTC. Check: bean-check FILE\n")
    out.write(f'option "title" "{_quote(title)}"\n')
    currencies = sorted({row.currency for row in accounts}) or ["USD"]
    for currency in currencies:
        out.write(f'option "operating_currency" "{currency}"\n')
    out.write("\n")
    first_day = min((row.opened_at.date() for row in accounts), default=tx.now.date())
    if not whole_bank:
        out.write(f"{first_day} open {EXTERNAL}\n")
    for row in accounts:
        name = names.add(row)
        result.account_ids[name] = row.id
        out.write(f"{row.opened_at.date()} open {name} {row.currency}\n")
        out.write(f'  holder_account: "{_quote(row.name)}"\n')
    out.write("\n")
    sign = -1 if whole_bank else 1
    last_balance: dict[int, int] = {}
    last_day = first_day
    ids = [row.id for row in accounts]
    currency_of = {row.id: row.currency for row in accounts}
    for entry, legs in _entries_with_legs(tx, None if whole_bank else ids):
        day = entry.created_at.date()
        last_day = max(last_day, day)
        out.write(f'{day} * "{_quote(entry.kind)}" "{_quote(entry.memo)}"\n')
        out.write(f'  entry_id: "{entry.entry_id}"\n')
        out.write(f'  booked_at: "{entry.created_at.isoformat(timespec="seconds")}Z"\n')
        outside = 0
        for leg in legs:
            last_balance[leg.account_id] = leg.balance_after
            amount = sign * leg.amount
            out.write(
                f"  {names.by_id[leg.account_id]}  "
                f"{cents_to_decimal_string(amount)} {currency_of[leg.account_id]}\n"
            )
            outside -= amount
            result.postings += 1
        if outside and not whole_bank:  # the bank's own entries must balance by themselves
            out.write(
                f"  {EXTERNAL}  {cents_to_decimal_string(outside)} "
                f"{currency_of[legs[0].account_id]}\n"
            )
        out.write("\n")
        result.entries += 1
    as_of = max(last_day, tx.now.date()) + timedelta(days=1)
    _write_balances(out, accounts, names, last_balance, sign, as_of, result)
    for row in accounts:
        if row.closed_at is not None:
            out.write(f"{max(row.closed_at.date(), last_day)} close {names.by_id[row.id]}\n")
    return result


def _write_balances(
    out: TextIO,
    accounts: Sequence[Any],
    names: _Names,
    last_balance: dict[int, int],
    sign: int,
    as_of: date,
    result: LedgerExport,
) -> None:
    out.write("; Balances from bankapp's stored running balances; bean-check proves them.\n")
    for row in accounts:
        name = names.by_id[row.id]
        balance = sign * last_balance.get(row.id, 0)
        result.balances[name] = balance
        if row.closed_at is None:
            out.write(
                f"{as_of} balance {name}  {cents_to_decimal_string(balance)} {row.currency}\n"
            )
    out.write("\n")


def _entries_with_legs(tx: Tx, account_ids: list[int] | None) -> Iterator[tuple[Any, list[Any]]]:
    """Each journal entry with its postings (only the given accounts' when not None), in entry
    order, read in batches by keyset on the entry id."""
    if account_ids is not None and not account_ids:
        return
    after = 0
    while True:
        if account_ids is None:
            batch = select(_entries.c.id).where(_entries.c.id > after)
        else:
            batch = (
                select(_postings.c.entry_id.label("id"))
                .where(_postings.c.account_id.in_(account_ids), _postings.c.entry_id > after)
                .group_by(_postings.c.entry_id)
            )
        entry_ids = tx.conn.execute(batch.order_by("id").limit(BATCH)).scalars().all()
        if not entry_ids:
            return
        query = (
            select(
                _postings.c.id,
                _postings.c.entry_id,
                _postings.c.account_id,
                _postings.c.amount,
                _postings.c.balance_after,
                _entries.c.kind,
                _entries.c.memo,
                _entries.c.created_at,
            )
            .join(_entries, _entries.c.id == _postings.c.entry_id)
            .where(_postings.c.entry_id.between(entry_ids[0], entry_ids[-1]))
            .order_by(_postings.c.entry_id, _postings.c.id)
        )
        if account_ids is not None:
            query = query.where(_postings.c.account_id.in_(account_ids))
        for _, group in groupby(tx.conn.execute(query), key=lambda row: row.entry_id):
            legs = list(group)
            yield legs[0], legs
        after = entry_ids[-1]


def _quote(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")
