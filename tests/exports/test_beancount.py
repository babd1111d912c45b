"""The ledger exported to Beancount passes Beancount's own checker, and the balances Beancount
computes equal bankapp's: an independent program confirms the double-entry books."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import realization
from sqlalchemy import update

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import PermissionDenied
from bankapp.exports.beancount import LedgerExport, export_ledger
from bankapp.storage.models import Posting
from tests.fixtures import as_attacker, funded_account, make_customer, make_staff

BEAN_CHECK = Path(sys.executable).parent / "bean-check"


def _books(bank: Bank, clock: FixedClock) -> tuple[Actor, Actor, list[int]]:
    alice = make_customer(bank, "alice")
    bob = make_customer(bank, "bob")
    a1 = funded_account(bank, alice, 250_000)
    a2 = bank.accounts.open(alice, AccountKind.SAVINGS, 'Rainy "day" \\ fund')
    b1 = funded_account(bank, bob, 90_000)
    for day in range(6):
        clock.advance(timedelta(days=1, hours=3))
        bank.payments.transfer(alice, a1, a2.number, 1_000 + day, memo=f'to "savings" {day}')
        bank.payments.transfer(bob, b1, bank.accounts.get(alice, a1).number, 333, memo="rent")
        bank.payments.withdraw(bob, b1, 1_250, memo="cash \\ out")
    return alice, bob, [a1, a2.id, b1]


def _beancount_balances(path: Path) -> dict[str, Decimal]:
    entries, errors, _ = loader.load_file(str(path))
    assert errors == [], errors
    root = realization.realize(entries)
    out = {}
    for real in realization.iter_children(root):
        if real.txn_postings:
            out[real.account] = real.balance.get_currency_units("USD").number
    return out


def _bean_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, check=False)


def _cents(value: Decimal) -> int:
    return int(value * 100)


def test_the_whole_bank_export_passes_bean_check_and_agrees_with_bankapp(
    bank: Bank, clock: FixedClock, tmp_path: Path
) -> None:
    _books(bank, clock)
    admin = make_staff(bank, "ada", Role.ADMIN)
    result = export_ledger(bank.ctx, admin, tmp_path)
    check = _bean_check(result.path)
    assert check.returncode == 0, check.stdout + check.stderr
    computed = _beancount_balances(result.path)
    assert any(name.startswith("Assets:Internal:") for name in computed)
    assert sum(computed.values()) == 0
    for name, account_id in result.account_ids.items():
        stored = bank.accounts.get(admin, account_id).balance
        assert _cents(computed.get(name, Decimal(0))) == -stored, name
    assert result.entries == 2 + 6 * 3 and result.scope == "bank"


def test_a_customer_exports_only_their_own_accounts_and_it_checks(
    bank: Bank, clock: FixedClock, tmp_path: Path
) -> None:
    alice, bob, (a1, a2, b1) = _books(bank, clock)
    result = export_ledger(bank.ctx, alice, tmp_path)
    text = result.path.read_text()
    assert bank.accounts.get(bob, b1).number not in text
    assert "Internal" not in text
    assert _bean_check(result.path).returncode == 0
    computed = _beancount_balances(result.path)
    own = {name: bank.accounts.get(alice, i).balance for name, i in result.account_ids.items()}
    assert set(result.account_ids.values()) == {a1, a2}
    for name, balance in own.items():
        assert _cents(computed[name]) == balance
    entries, _, _ = loader.load_file(str(result.path))
    narrations = {getattr(e, "narration", None) for e in entries}
    assert 'to "savings" 0' in narrations


def test_bean_check_catches_a_posting_changed_behind_the_ledgers_back(
    bank: Bank, clock: FixedClock, tmp_path: Path
) -> None:
    _books(bank, clock)
    postings = Posting
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            update(postings).where(postings.c.id == 3).values(amount=postings.c.amount + 1)
        ),
    )
    result: LedgerExport = export_ledger(bank.ctx, None, tmp_path)
    check = _bean_check(result.path)
    assert check.returncode != 0
    assert "does not balance" in check.stderr + check.stdout or "Balance failed" in (
        check.stderr + check.stdout
    )


def test_a_teller_cannot_export_the_ledger(bank: Bank, tmp_path: Path) -> None:
    teller = make_staff(bank, "tina", Role.TELLER)
    with pytest.raises(PermissionDenied):
        export_ledger(bank.ctx, teller, tmp_path / "exports")
    assert not (tmp_path / "exports").exists()
