"""Tamper evidence (issue 17): the database refuses edits of the books; what someone with
write access does anyway is found by `verify` and named; seals prove the past even against
someone who later got the key; one key per installation; rotating the key keeps everything
working. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import delete, make_url, select, text, update

from bankapp.bank import Bank, open_bank
from bankapp.domain.keyed_hashes import chain_key, key_fingerprint
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import AppendOnly, KeyMismatch
from bankapp.services import audit
from bankapp.services.auth.second_factor import unix_step
from bankapp.storage import installation_key as keys
from bankapp.storage.models import (
    APPEND_ONLY_TABLES,
    DERIVED_TABLES,
    Account,
    AuditEvent,
    AuditHead,
    Posting,
    Seal,
)
from bankapp.storage.roles import grant_statements
from tests.fixtures import (
    PASSWORD,
    TEST_SETTINGS,
    as_attacker,
    buy,
    credit_card,
    funded_account,
    make_customer,
    make_staff,
)

_postings = Posting
_accounts = Account
_events = AuditEvent
_head = AuditHead
_seals = Seal


def a_transfer(bank: Bank) -> tuple[int, int, int]:
    """Alice pays Bob 40.00; returns (entry id, Alice's account, Bob's account)."""
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    a1 = funded_account(bank, alice, 100_00)
    b1 = bank.accounts.open(bob, AccountKind.CHECKING)
    entry = bank.payments.transfer(alice, a1, b1.number, 40_00, memo="rent").entry_id
    assert bank.verify().ok
    return entry, a1, b1.id


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_database_refuses_to_change_or_remove_a_row_of_the_books(
    bank: Bank, table: str
) -> None:
    a_transfer(bank)
    bank.operator.seal(date(2026, 3, 14))
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(AppendOnly, match="cannot be changed or removed"):
            bank.db.write(lambda tx, s=statement: tx.conn.execute(text(s)))
    assert bank.verify().ok


def test_a_leg_redirected_to_another_account_is_named(bank: Bank) -> None:
    entry, _, bob = a_transfer(bank)
    mallory = bank.accounts.open(make_customer(bank, "mallory"), AccountKind.CHECKING).id

    def redirect(tx: object) -> None:  # the posting, both balances and the running balance
        conn = tx.conn  # type: ignore[attr-defined]
        leg = conn.execute(
            select(_postings).where(_postings.c.entry_id == entry, _postings.c.account_id == bob)
        ).one()
        conn.execute(update(_postings).where(_postings.c.id == leg.id).values(account_id=mallory))
        for account, change in ((bob, -leg.amount), (mallory, leg.amount)):
            conn.execute(
                update(_accounts)
                .where(_accounts.c.id == account)
                .values(balance=_accounts.c.balance + change)
            )

    as_attacker(bank, redirect)
    report = bank.verify()
    assert not report.ok
    named = [p for p in report.problems if p.startswith(f"journal entry {entry}:")]
    assert named and "redirected or altered" in named[0], report.problems
    assert f"{mallory}:4000" in named[0] and f"{bob}:4000" in named[0]


def test_an_entry_deleted_with_its_balances_restored_is_named(bank: Bank) -> None:
    entry, alice, bob = a_transfer(bank)

    def remove(tx: object) -> None:
        conn = tx.conn  # type: ignore[attr-defined]
        for account, change in ((alice, 40_00), (bob, -40_00)):
            conn.execute(
                update(_accounts)
                .where(_accounts.c.id == account)
                .values(balance=_accounts.c.balance + change)
            )
        conn.execute(delete(_postings).where(_postings.c.entry_id == entry))
        conn.execute(text("DELETE FROM journal_entries WHERE id = :e"), {"e": entry})

    as_attacker(bank, remove)
    problems = bank.verify().problems
    assert any(f"journal entry {entry}: recorded by audit row seq" in p for p in problems)


def _relink_without_the_key(tx: object, from_seq: int) -> None:
    """What a file writer without the key can do: recompute every link from `from_seq` on
    under a key of their own (they cannot know the real one)."""
    conn = tx.conn  # type: ignore[attr-defined]
    guessed = chain_key(b"\x00" * 32)
    rows = conn.execute(select(_events).where(_events.c.seq >= from_seq).order_by(_events.c.seq))
    prev = conn.execute(select(_events.c.hash).where(_events.c.seq == from_seq - 1)).scalar_one()
    for row in rows.all():
        link = audit.keyed_link(
            guessed,
            prev,
            row.seq,
            row.at,
            row.actor_id,
            row.actor_name,
            row.kind,
            row.subject,
            row.details,
            row.entry_id,
            row.legs,
            row.key_id,
        )
        conn.execute(
            update(_events).where(_events.c.id == row.id).values(prev_hash=prev, hash=link)
        )
        prev = link
    conn.execute(update(_head).where(_head.c.id == 1).values(hash=prev))


def test_amounts_changed_and_the_chain_recomputed_without_the_key_is_named(bank: Bank) -> None:
    entry, alice, bob = a_transfer(bank)
    seq = bank.db.read(
        lambda tx: tx.conn.execute(
            select(_events.c.seq).where(_events.c.entry_id == entry)
        ).scalar_one()
    )

    def rewrite(tx: object) -> None:  # 40.00 becomes 4.00 everywhere, event included
        conn = tx.conn  # type: ignore[attr-defined]
        for account, amount in ((alice, -4_00), (bob, 4_00)):
            old = conn.execute(
                select(_postings).where(
                    _postings.c.entry_id == entry, _postings.c.account_id == account
                )
            ).one()
            conn.execute(
                update(_postings)
                .where(_postings.c.id == old.id)
                .values(amount=amount, balance_after=old.balance_after - old.amount + amount)
            )
            conn.execute(
                update(_accounts)
                .where(_accounts.c.id == account)
                .values(balance=_accounts.c.balance - old.amount + amount)
            )
        event = conn.execute(select(_events).where(_events.c.seq == seq)).one()
        details = {**json.loads(event.details), "amount": 4_00}
        conn.execute(
            update(_events)
            .where(_events.c.seq == seq)
            .values(
                details=json.dumps(details, sort_keys=True),
                legs=audit.legs_text([(alice, -4_00), (bob, 4_00)]),
            )
        )
        _relink_without_the_key(tx, seq)

    as_attacker(bank, rewrite)
    report = bank.verify()
    assert not report.ok
    assert any(
        f"audit row seq {seq} " in p and "does not match its link" in p for p in report.problems
    )


def test_verify_without_the_key_says_it_could_not_check_rather_than_passing(
    bank: Bank, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a_transfer(bank)
    url = str(bank.db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv(keys.ENV_KEY_FILE, f"{tmp_path}/missing.key")
    keys.forget_cached_keys()
    with pytest.raises(KeyMismatch, match="no key could be read"):
        open_bank(url, settings=TEST_SETTINGS)
    keyless = open_bank(url, settings=TEST_SETTINGS, check_key=False)
    try:
        report = keyless.verify()
    finally:
        keyless.close()
    keys.forget_cached_keys()
    assert not report.problems and not report.ok
    assert report.unchecked and "could not be read" in report.unchecked


def test_a_second_workstation_with_another_key_is_refused_by_name(
    bank: Bank, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a_transfer(bank)
    expected = key_fingerprint(bank.keys.current())
    url = str(bank.db.engine.url.render_as_string(hide_password=False))
    other = f"{tmp_path}/other.key"
    (tmp_path / "other.key").write_text("ab" * 32)
    (tmp_path / "other.key").chmod(0o600)
    monkeypatch.setenv(keys.ENV_KEY_FILE, other)
    keys.forget_cached_keys()
    try:
        with pytest.raises(KeyMismatch) as refused:
            open_bank(url, settings=TEST_SETTINGS)
    finally:
        keys.forget_cached_keys()
    message = refused.value.message
    assert expected[:4] in message and other in message and "Copy the key file" in message


def test_a_seal_proves_the_past_even_against_someone_who_later_got_the_key(bank: Bank) -> None:
    entry, _, _ = a_transfer(bank)
    seal = bank.operator.seal(date(2026, 3, 14))
    assert seal.line.startswith("bankapp-seal:2026-03-14:")
    assert bank.operator.check_seal(seal.line) == []
    assert bank.verify(since_seal=True).ok
    seq = bank.db.read(
        lambda tx: tx.conn.execute(
            select(_events.c.seq).where(_events.c.entry_id == entry)
        ).scalar_one()
    )
    real = chain_key(bank.keys.current())

    def rewrite_with_the_key(tx: object) -> None:
        conn = tx.conn  # type: ignore[attr-defined]
        conn.execute(
            update(_events)
            .where(_events.c.seq == seq)
            .values(details=json.dumps({"amount": 1}, sort_keys=True))
        )
        rows = conn.execute(select(_events).where(_events.c.seq >= seq).order_by(_events.c.seq))
        prev = conn.execute(select(_events.c.hash).where(_events.c.seq == seq - 1)).scalar_one()
        for row in rows.all():
            link = audit.keyed_link(
                real, prev, row.seq, row.at, row.actor_id, row.actor_name, row.kind,
                row.subject, row.details, row.entry_id, row.legs, row.key_id,
            )  # fmt: skip
            conn.execute(
                update(_events).where(_events.c.id == row.id).values(prev_hash=prev, hash=link)
            )
            prev = link
        conn.execute(update(_head).where(_head.c.id == 1).values(hash=prev))

    as_attacker(bank, rewrite_with_the_key)
    problems = bank.operator.check_seal(seal.line)
    assert any("no longer ends in" in p for p in problems), problems


def test_an_edited_seal_is_named(bank: Bank) -> None:
    a_transfer(bank)
    bank.operator.seal(date(2026, 3, 14))
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(update(_seals).values(summary="{}", line="bankapp-seal:x")),
    )
    problems = bank.verify().problems
    assert any("seal of 2026-03-14" in p for p in problems), problems


def test_each_of_several_seals_vouches_for_its_own_days(bank: Bank) -> None:
    """Verify computes every seal's figures in one pass over the books; a posting changed
    after the second seal breaks only the third, and one changed before it breaks both."""
    alice, bob = make_customer(bank, "alice"), make_customer(bank, "bob")
    a1 = funded_account(bank, alice, 100_00)
    b1 = bank.accounts.open(bob, AccountKind.CHECKING)
    entries = []
    for day in (14, 15, 16):
        entries.append(bank.payments.transfer(alice, a1, b1.number, 10_00, memo="rent").entry_id)
        bank.operator.seal(date(2026, 3, day))
    assert bank.verify().ok

    def add_a_cent_to(entry: int) -> None:
        as_attacker(
            bank,
            lambda tx: tx.conn.execute(
                update(_postings)
                .where(_postings.c.entry_id == entry, _postings.c.account_id == b1.id)
                .values(amount=_postings.c.amount + 1)
            ),
        )

    def broken_seals() -> list[str]:
        return [p for p in bank.verify().problems if p.startswith("seal of ")]

    add_a_cent_to(entries[2])
    assert [p.split(" (")[0] for p in broken_seals()] == ["seal of 2026-03-16"]
    add_a_cent_to(entries[1])
    assert [p.split(" (")[0] for p in broken_seals()] == [
        "seal of 2026-03-15",
        "seal of 2026-03-16",
    ]


@pytest.mark.usefixtures("private_key_file")
def test_rotate_key_keeps_cards_codes_and_the_chain_working(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 30_000)
    make_staff(bank, "tina", Role.TELLER)
    first = bank.auth.login("tina", PASSWORD)
    enrolment = bank.totp.begin_enrolment(first.actor)
    code = pyotp.TOTP(enrolment.secret).generate_otp(unix_step(bank.clock.now()))
    recovery = bank.totp.confirm_enrolment(first.actor, code).recovery_codes
    old = key_fingerprint(bank.keys.current())

    new = bank.operator.rotate_key()
    assert new.replace("-", "") != old and key_fingerprint(bank.keys.current()) != old
    assert buy(bank, ann, card, 1_000) == 29_000  # recognised under the old key
    bank.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]
    fresh = pyotp.TOTP(enrolment.secret).generate_otp(unix_step(bank.clock.now()))
    signed = bank.auth.login("tina", PASSWORD)
    assert bank.auth.complete_second_factor(signed.actor, fresh).signed_in
    again = bank.auth.login("tina", PASSWORD)
    assert bank.auth.complete_second_factor(again.actor, recovery[0]).signed_in
    kids = bank.db.read(
        lambda tx: tx.conn.execute(select(_events.c.key_id).distinct()).scalars().all()
    )
    assert {old[:16], new.replace("-", "")[:16]} <= set(kids)
    assert bank.verify().ok


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_postgresql_application_role_cannot_change_the_books(database_url: str) -> None:
    schema = "public"  # each test has a database of its own (tests/conftest.py)
    bank = open_bank(database_url, settings=TEST_SETTINGS)
    try:
        with bank.db.engine.begin() as conn:
            role = f"app_{make_url(database_url).database}"
            conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
            try:
                for statement in grant_statements(role, schema):
                    conn.execute(text(statement))
                rights = {
                    (table, right): conn.execute(
                        text("SELECT has_table_privilege(:r, :t, :p)"),
                        {"r": role, "t": f"{schema}.{table}", "p": right},
                    ).scalar_one()
                    for table in (*APPEND_ONLY_TABLES, *DERIVED_TABLES, "accounts")
                    for right in ("SELECT", "INSERT", "UPDATE", "DELETE")
                }
                conn.execute(text(f"SET ROLE {role}"))
                with (
                    pytest.raises(Exception, match="permission denied"),
                    conn.begin_nested(),
                ):
                    conn.execute(text("UPDATE postings SET amount = amount"))
                posted = _post_as_the_role(conn)
                conn.execute(text("RESET ROLE"))
                searchable = conn.execute(
                    text("SELECT count(*) FROM posting_search WHERE posting_id = :p"),
                    {"p": posted},
                ).scalar_one()
            finally:
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
    finally:
        bank.close()
    for table in DERIVED_TABLES:
        assert [rights[(table, r)] for r in ("SELECT", "INSERT", "UPDATE", "DELETE")] == [
            True,
            False,
            False,
            False,
        ]
    for table in APPEND_ONLY_TABLES:
        assert rights[(table, "SELECT")] and rights[(table, "INSERT")]
        assert not rights[(table, "UPDATE")] and not rights[(table, "DELETE")]
    assert all(rights[("accounts", right)] for right in ("SELECT", "UPDATE"))
    assert searchable == 1  # its trigger wrote the search row the role may not write


def _post_as_the_role(conn: Any) -> int:
    """What posting does, as the application role: an entry and a posting (of nothing, on an
    account of its own: enough for the trigger, which writes posting_search as its owner)."""
    cash = conn.execute(
        text(
            "INSERT INTO accounts (number, kind, name, currency, balance, held, credit_limit, "
            "unbounded, status, opened_at) VALUES ('000000000000', 'internal', 'Role test', "
            "'USD', 0, 0, 0, TRUE, 'open', now()) RETURNING id"
        )
    ).scalar_one()
    entry = conn.execute(
        text(
            "INSERT INTO journal_entries (kind, memo, created_at) "
            "VALUES ('deposit', 'role test', now()) RETURNING id"
        )
    ).scalar_one()
    return int(
        conn.execute(
            text(
                "INSERT INTO postings (entry_id, account_id, amount, balance_after, created_at) "
                "VALUES (:e, :a, 0, 0, now()) RETURNING id"
            ),
            {"e": entry, "a": cash},
        ).scalar_one()
    )


def test_verify_since_the_seal_names_what_changed_after_it(bank: Bank) -> None:
    """`--since-seal` checks only what came after the last seal, but that much fully: an
    amount changed after the seal (balances adjusted to match), or the seal row edited."""
    bank.operator.seal(date(2026, 3, 14))
    entry, alice, bob = a_transfer(bank)
    assert bank.verify(since_seal=True).ok

    def shrink(tx: object) -> None:
        conn = tx.conn  # type: ignore[attr-defined]
        for account, amount in ((alice, -4_00), (bob, 4_00)):
            old = conn.execute(
                select(_postings).where(
                    _postings.c.entry_id == entry, _postings.c.account_id == account
                )
            ).one()
            conn.execute(
                update(_postings)
                .where(_postings.c.id == old.id)
                .values(amount=amount, balance_after=old.balance_after - old.amount + amount)
            )
            conn.execute(
                update(_accounts)
                .where(_accounts.c.id == account)
                .values(balance=_accounts.c.balance - old.amount + amount)
            )

    as_attacker(bank, shrink)
    report = bank.verify(since_seal=True)
    assert any(p.startswith(f"journal entry {entry}:") for p in report.problems), report
    edited = json.dumps({"checking": [1, 5]})  # the seal was of an empty bank
    as_attacker(bank, lambda tx: tx.conn.execute(update(_seals).values(summary=edited)))
    assert any("seal of 2026-03-14" in p for p in bank.verify(since_seal=True).problems)


def test_since_the_seal_a_running_balance_broken_after_it_is_named(bank: Bank) -> None:
    bank.operator.seal(date(2026, 3, 14))
    entry, _, bob = a_transfer(bank)
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            update(_postings)
            .where(_postings.c.entry_id == entry, _postings.c.account_id == bob)
            .values(balance_after=_postings.c.balance_after + 1)
        ),
    )
    problems = bank.verify(since_seal=True).problems
    assert any(f"(account {bob}): balance_after" in p for p in problems), problems


def test_since_the_seal_an_unbalanced_entry_after_it_is_named(bank: Bank) -> None:
    bank.operator.seal(date(2026, 3, 14))
    entry, _, bob = a_transfer(bank)
    as_attacker(
        bank,
        lambda tx: tx.conn.execute(
            update(_postings)
            .where(_postings.c.entry_id == entry, _postings.c.account_id == bob)
            .values(amount=_postings.c.amount + 1)
        ),
    )
    problems = bank.verify(since_seal=True).problems
    assert f"journal entry {entry}: 2 postings summing to 1" in problems, problems
