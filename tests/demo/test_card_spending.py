"""`bankapp demo` issues debit and credit cards with purchases, the same ones for the same seed."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bankapp.bank import Bank, open_bank
from bankapp.demo.build import build_demo
from bankapp.demo.logins import DEMO_PASSWORD
from bankapp.domain.card_types import CardKind
from tests.fixtures import TEST_SETTINGS

END = datetime(2026, 11, 20, 10, 30)


pytestmark = [pytest.mark.usefixtures("private_key_file"), pytest.mark.slow]


def demo_cards(bank: Bank) -> list[tuple[str, str, str, int, int]]:
    found = []
    for name in ("alice", "bob", "carol"):
        actor = bank.auth.login(name, DEMO_PASSWORD).actor
        for card in bank.cards.list_cards(actor):
            used = len(bank.cards.transactions(actor, card.id))
            found.append((name, card.kind.value, card.last4, card.credit_limit, used))
    return found


def test_the_demo_has_debit_and_credit_cards_with_purchases(bank: Bank) -> None:
    build_demo(bank, seed=7, end=END)
    cards = demo_cards(bank)
    kinds = {kind for _, kind, *_ in cards}
    assert kinds == {CardKind.DEBIT.value, CardKind.CREDIT.value}
    assert {name for name, *_ in cards} == {"alice", "bob", "carol"}
    assert all(used > 5 for *_, used in cards)
    report = bank.verify()
    assert report.ok, report.problems


def test_the_same_seed_gives_the_same_demo_cards(tmp_path: Path, sqlite_template: Path) -> None:
    results = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.db"
        shutil.copyfile(sqlite_template, path)
        bank = open_bank(f"sqlite:///{path}", settings=TEST_SETTINGS)
        try:
            build_demo(bank, seed=11, end=END)
            results.append(demo_cards(bank))
        finally:
            bank.close()
    assert results[0] == results[1]
