"""Hostile values and the service entry points they are pushed through. Each value must be
refused with a typed BankError and a short message, or stored and read back literally; it must
never raise anything else and never move money it was not asked to move."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, Actor, Role
from bankapp.errors import AuthenticationFailed, BankError, StorageError
from bankapp.services.history import HistoryFilter
from bankapp.storage.models import Account
from tests.fixtures import PASSWORD, cash_in, make_user

HOSTILE_TEXT: dict[str, str] = {
    "empty": "",
    "whitespace": " \t  ",
    "10 KB": "A" * 10_240,
    "1 MB": "B" * 1_048_576,
    "NUL byte": "ab\x00cd",
    "control chars": "bell\x07back\x08",
    "ANSI escape": "\x1b[31mred\x1b[0m \x1b]0;title\x07",
    "RTL override": "invoice \u202egnp.exe",
    "bidi isolate": "a\u2067b\u2069",
    "zero-width": "pay\u200bpal",
    "emoji": "rent 💸🏦👩‍👩‍👧",
    "combining": "Zoe\u0301 Z̸̢͓a̴lgo",
    "CJK and Arabic": "山田 太郎 محمد",
    "SQL injection": "'; DROP TABLE accounts; --",
    "SQL tautology": "\" OR 1=1 -- ' OR ''='",
    "LIKE wildcards": "100% _all_ \\",
    "Rich bold": "[bold]loud[/bold]",
    "Rich link": "[link=https://evil.example]click[/link]",
    "Rich close": "[/]",
    "unbalanced brackets": "[[bold]x]] [/not-open]",
    "Rich escaped": "\\[bold] @click=app.quit",
    "newline": "first\nsecond",
    "lone surrogate": "bad\ud800half",
    "long lone surrogate": "a-long-passphrase-\udc00-with-a-surrogate",
    "format string": "{0} %s %(x)s {__class__}",
    "path": "../../etc/passwd",
    "HTML": "<script>alert(1)</script>",
}

HOSTILE_AMOUNTS: dict[str, str] = {
    "exponent 1e9": "1e9",
    "NaN": "NaN",
    "infinity": "inf",
    "minus zero": "-0",
    "negative": "-5.00",
    "three decimals": "0.001",
    "full-width digits": "１００",
    "Arabic-Indic digits": "١٢٣",
    "21 digits": "999999999999999999999",
    "over the limit": "10000000.01",
    "zero": "0.00",
    "empty": "",
    "whitespace": "   ",
    "hex": "0x10",
    "two points": "1.2.3",
    "bad grouping": "1,00",
    "underscore": "1_000",
    "symbol only": "$",
    "NUL": "1\x00",
    "SQL": "1; DROP TABLE postings",
    "Rich": "[bold]100[/]",
    "1 MB": "9" * 1_048_576,
    "plain (accepted)": "12.34",
    "grouped (accepted)": "$1,234.50",
}

HOSTILE_DATES: dict[str, tuple[datetime | None, datetime | None]] = {
    "year 1": (datetime(1, 1, 1), None),
    "year 9999": (None, datetime(9999, 12, 31, 23, 59, 59)),
    "start after end": (datetime(2026, 12, 1), datetime(2026, 1, 1)),
    "both extremes": (datetime.min, datetime.max),
    "equal": (datetime(2026, 11, 20), datetime(2026, 11, 20)),
}


def literal(value: str) -> str:
    """What a stored text must read back as: the value trimmed, in Unicode NFC."""
    return unicodedata.normalize("NFC", value).strip()


@dataclass
class World:
    """The people and accounts the probes act on, created once per bank."""

    bank: Bank
    customer: Actor
    teller: Actor
    admin: Actor
    account_id: int
    other_number: str
    counter: int = 0
    card: Any = None

    def fresh_username(self) -> str:
        self.counter += 1
        return f"hostile{self.counter}"


def make_world(bank: Bank) -> World:
    def user(name: str, role: Role) -> Actor:
        return make_user(bank, name, role, full_name=f"{name} Tester", email=f"{name}@example.com")

    customer, other = user("victim", Role.CUSTOMER), user("payee", Role.CUSTOMER)
    teller, admin = user("teller1", Role.TELLER), user("admin1", Role.ADMIN)
    account = bank.accounts.open(customer, AccountKind.CHECKING)
    cash_in(bank, account.id, 1_000_00)
    target = bank.accounts.open(other, AccountKind.CHECKING)
    return World(bank, customer, teller, admin, account.id, target.number)


@dataclass(frozen=True)
class Accepted:
    """A probe's answer when the service accepted the value."""

    stored: str | None = None  # the text as read back, when the value is kept
    moved: dict[int, int] = field(default_factory=dict)  # expected balance change by account
    default: bool = False  # an empty value was replaced by a default (e.g. a memo)


Probe = Callable[[World, str], Accepted]


def _register(field_name: str) -> Probe:
    def probe(w: World, value: str) -> Accepted:
        values = {
            "username": w.fresh_username(),
            "full_name": "Hostile Tester",
            "email": "hostile@example.com",
            "phone": "",
            "address": "",
        }
        if field_name != "password":
            values[field_name] = value
        pw = value if field_name == "password" else PASSWORD
        user = w.bank.auth.register(password=pw, password_confirm=pw, **values)
        actor = w.bank.auth.login(user.username, pw).actor
        if field_name == "password":
            return Accepted()
        return Accepted(getattr(w.bank.auth.get_user(actor, user.id), field_name))

    return probe


def _profile(field_name: str) -> Probe:
    def probe(w: World, value: str) -> Accepted:
        values = {
            "full_name": "Victim Tester",
            "email": "victim@example.com",
            "phone": "",
            "address": "",
        }
        values[field_name] = value
        w.bank.auth.update_profile(w.customer, **values)
        return Accepted(getattr(w.bank.auth.get_user(w.customer, w.customer.user_id), field_name))

    return probe


def _login_username(w: World, value: str) -> Accepted:
    w.bank.auth.login(value, PASSWORD)
    return Accepted()


def _login_password(w: World, value: str) -> Accepted:
    w.bank.auth.login("payee", value)
    return Accepted()


def _open_account(w: World, value: str) -> Accepted:
    account = w.bank.accounts.open(w.customer, AccountKind.SAVINGS, value)
    stored = w.bank.accounts.get(w.customer, account.id).name
    w.bank.accounts.close(w.customer, account.id)
    return Accepted(stored, default=not literal(value))


def _rename_account(w: World, value: str) -> Accepted:
    w.bank.accounts.rename(w.customer, w.account_id, value)
    return Accepted(w.bank.accounts.get(w.customer, w.account_id).name)


def _memo_of(w: World, entry_id: int) -> str:
    lines = w.bank.history.page(w.customer, w.account_id, limit=5).lines
    return next(line.memo for line in lines if line.entry_id == entry_id)


def _deposit_memo(w: World, value: str) -> Accepted:
    result = w.bank.payments.deposit(w.customer, w.account_id, 1_00, memo=value)
    return Accepted(_memo_of(w, result.entry_id), {w.account_id: 1_00}, default=not literal(value))


def _withdraw_memo(w: World, value: str) -> Accepted:
    result = w.bank.payments.withdraw(w.customer, w.account_id, 1_00, memo=value)
    return Accepted(_memo_of(w, result.entry_id), {w.account_id: -1_00}, default=not literal(value))


def _transfer_memo(w: World, value: str) -> Accepted:
    result = w.bank.payments.transfer(w.customer, w.account_id, w.other_number, 1_00, memo=value)
    return Accepted(_memo_of(w, result.entry_id), {w.account_id: -1_00}, default=not literal(value))


def _transfer_destination(w: World, value: str) -> Accepted:
    w.bank.payments.transfer(w.customer, w.account_id, value, 1_00)
    raise AssertionError("a hostile destination number was accepted")


def _find_destination(w: World, value: str) -> Accepted:
    w.bank.accounts.find_destination(w.customer, value)
    raise AssertionError("a hostile destination number was found")


def _history_memo(w: World, value: str) -> Accepted:
    w.bank.history.page(w.customer, w.account_id, filters=HistoryFilter(memo_contains=value))
    return Accepted()


def _history_kind(w: World, value: str) -> Accepted:
    w.bank.history.page(w.customer, w.account_id, filters=HistoryFilter(kind=value))
    return Accepted()


def _freeze_reason(w: World, value: str) -> Accepted:
    w.bank.accounts.freeze(w.teller, w.account_id, value)
    w.bank.accounts.unfreeze(w.teller, w.account_id, value)
    return Accepted()


def _unlock(w: World, value: str) -> Accepted:
    """The operator's unlock takes a typed username (the CLI); staff unlock by id."""
    w.bank.operator.unlock(value)
    raise AssertionError("a hostile username was unlocked")


def _card(w: World) -> Any:
    """A debit card on the customer's account, issued on first use and kept for the run."""
    if w.card is None:
        w.card = w.bank.cards.issue_debit(w.customer, w.account_id)
    return w.card


def _cardholder_name(w: World, value: str) -> Accepted:
    issued = w.bank.cards.issue_debit(w.customer, w.account_id, cardholder_name=value)
    stored = w.bank.cards.get(w.customer, issued.card.id).cardholder_name
    w.bank.cards.cancel(w.customer, issued.card.id)
    return Accepted(stored, default=not literal(value))


def _card_merchant(w: World, value: str) -> Accepted:
    card = _card(w)
    authorised = w.bank.cards.purchase(
        w.customer, pan=card.pan, expiry=card.card.expiry, cvv=card.cvv, merchant=value, amount=1_00
    )
    w.bank.cards.capture(w.admin, authorised.hold_id)  # settled: the merchant is in the memo
    memo = w.bank.cards.transactions(w.customer, card.card.id, limit=1)[0].description
    return Accepted(literal(value) if literal(value) in memo else memo, {w.account_id: -1_00})


def _card_detail(name: str) -> Probe:
    def probe(w: World, value: str) -> Accepted:
        card = _card(w)
        details = {"pan": card.pan, "expiry": card.card.expiry, "cvv": card.cvv, name: value}
        w.bank.cards.purchase(w.customer, merchant="Shop", amount=1_00, **details)
        raise AssertionError(f"a purchase with a hostile {name} was accepted")

    return probe


def _statement_period(w: World, value: str) -> Accepted:
    from bankapp.services.statements import StatementPeriod

    w.bank.statements.summary(w.customer, w.account_id, StatementPeriod.parse(value, value))
    raise AssertionError("a hostile statement date was accepted")


TEXT_PROBES: dict[str, Probe] = {
    "register username": _register("username"),
    "register full name": _register("full_name"),
    "register email": _register("email"),
    "register phone": _register("phone"),
    "register address": _register("address"),
    "register password": _register("password"),
    "login username": _login_username,
    "login password": _login_password,
    "profile full name": _profile("full_name"),
    "profile address": _profile("address"),
    "profile email": _profile("email"),
    "open account name": _open_account,
    "rename account": _rename_account,
    "deposit memo": _deposit_memo,
    "withdraw memo": _withdraw_memo,
    "transfer memo": _transfer_memo,
    "transfer destination": _transfer_destination,
    "find destination": _find_destination,
    "history memo filter": _history_memo,
    "history kind filter": _history_kind,
    "freeze reason (teller)": _freeze_reason,
    "unlock username (operator)": _unlock,
    "card cardholder name": _cardholder_name,
    "card purchase merchant": _card_merchant,
    "card purchase number": _card_detail("pan"),
    "card purchase expiry": _card_detail("expiry"),
    "card purchase CVV": _card_detail("cvv"),
    "statement period dates": _statement_period,
}


def _amount_deposit(w: World, value: str) -> Accepted:
    cents = w.bank.payments.parse_amount(value)
    w.bank.payments.deposit(w.customer, w.account_id, cents)
    return Accepted(moved={w.account_id: cents})


def _amount_transfer(w: World, value: str) -> Accepted:
    cents = w.bank.payments.parse_amount(value)
    w.bank.payments.transfer(w.customer, w.account_id, w.other_number, cents)
    return Accepted(moved={w.account_id: -cents})


def _amount_history(w: World, value: str) -> Accepted:
    cents = w.bank.payments.parse_amount(value)
    w.bank.history.page(w.customer, w.account_id, filters=HistoryFilter(min_amount=cents))
    return Accepted()


AMOUNT_PROBES: dict[str, Probe] = {
    "deposit amount": _amount_deposit,
    "transfer amount": _amount_transfer,
    "history amount filter": _amount_history,
}


# -- running the table ------------------------------------------------------------------------


@dataclass
class HostileReport:
    tried: int = 0
    refused: int = 0
    accepted: int = 0
    failures: list[str] = field(default_factory=list)


def balances(bank: Bank) -> dict[int, int]:
    table = Account
    return bank.db.read(
        lambda tx: {
            r.id: r.balance
            for r in tx.conn.execute(
                select(table.c.id, table.c.balance).where(table.c.owner_id.is_not(None))
            )
        }
    )


def try_value(
    w: World, where: str, probe: Probe, label: str, value: Any, report: HostileReport
) -> None:
    """Push one value through one probe and record anything that breaks the rules."""
    report.tried += 1
    before = balances(w.bank)
    name = f"{where} <- {label}"
    try:
        outcome = probe(w, value)
    except BankError as exc:
        report.refused += 1
        if not exc.message or len(exc.message) > 300 or "\n" in exc.message:
            report.failures.append(f"{name}: unclear message {exc.message[:120]!r}")
        if isinstance(exc, StorageError):
            report.failures.append(f"{name}: bad input reported as a database fault: {exc}")
        if where.startswith("login") and not isinstance(exc, AuthenticationFailed):
            report.failures.append(f"{name}: login raised {type(exc).__name__}, not an auth error")
        if balances(w.bank) != before:
            report.failures.append(f"{name}: refused, yet balances changed")
        return
    except Exception as exc:
        report.failures.append(f"{name}: raised {type(exc).__name__}: {str(exc)[:160]}")
        return
    report.accepted += 1
    if outcome.stored is not None and not outcome.default and outcome.stored != literal(value):
        report.failures.append(f"{name}: stored {outcome.stored[:60]!r}, not the literal value")
    after = balances(w.bank)
    changed = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    expected_here = {k: v for k, v in outcome.moved.items() if v}
    if {k: changed.get(k) for k in expected_here} != expected_here:
        report.failures.append(f"{name}: balances changed {changed}, expected {expected_here}")


def _history_dates(w: World, value: tuple[datetime | None, datetime | None]) -> Accepted:
    since, until = value
    w.bank.history.page(w.customer, w.account_id, filters=HistoryFilter(since=since, until=until))
    return Accepted()


def _statement_dates(w: World, value: tuple[datetime | None, datetime | None]) -> Accepted:
    from bankapp.services.statements import StatementPeriod

    since, until = value
    first = (since or datetime(2026, 1, 1)).date().isoformat()
    last = (until or datetime(2026, 12, 31)).date().isoformat()
    w.bank.statements.summary(w.customer, w.account_id, StatementPeriod.parse(first, last))
    return Accepted()


DATE_PROBES: dict[str, Callable[[World, Any], Accepted]] = {
    "history date range": _history_dates,
    "statement date range": _statement_dates,
}


def run_table(w: World, probes: dict[str, Any], values: dict[str, Any]) -> HostileReport:
    report = HostileReport()
    for where, probe in probes.items():
        for label, value in values.items():
            try_value(w, where, probe, label, value, report)
    report.failures += [f"bankapp verify: {p}" for p in w.bank.verify().problems]
    return report


def run_everything(bank: Bank) -> HostileReport:
    """Every table: text, amounts and history dates (what `make soak` counts)."""
    w, total = make_world(bank), HostileReport()
    tables = (
        (TEXT_PROBES, HOSTILE_TEXT),
        (AMOUNT_PROBES, HOSTILE_AMOUNTS),
        (DATE_PROBES, HOSTILE_DATES),
    )
    for probes, values in tables:
        part = run_table(w, probes, values)
        total.tried += part.tried
        total.refused += part.refused
        total.accepted += part.accepted
        total.failures += part.failures
    return total
