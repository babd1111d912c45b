"""The one list of journal entry kinds: the ledger posts nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.domain.entry_kinds import ENTRY_KINDS, require_entry_kind
from bankapp.services.ledger import AuditNote, Leg, post_entry
from bankapp.storage.models import JournalEntry


def test_a_kind_outside_the_list_is_refused() -> None:
    assert require_entry_kind("transfer") == "transfer"
    with pytest.raises(ValueError, match="not a kind of journal entry"):
        require_entry_kind("transfr")


def test_the_ledger_refuses_to_post_an_unknown_kind(bank: Bank) -> None:
    def post(tx: object) -> None:
        post_entry(
            tx,  # type: ignore[arg-type]
            kind="mystery",
            memo="",
            actor=None,
            legs=[Leg(1, 1), Leg(2, -1)],
            audit_note=AuditNote("money.mystery", {}),
        )

    with pytest.raises(ValueError):
        bank.db.write(post)
    entries = JournalEntry
    assert not bank.db.read(lambda tx: tx.conn.execute(select(entries.c.id)).first())
    assert len(set(ENTRY_KINDS)) == len(ENTRY_KINDS)
