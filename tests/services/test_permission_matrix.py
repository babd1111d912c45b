"""The permission matrix: every public service method, tried by every kind of caller and with
every kind of session that may not act.

Role axis — callers: the customer who owns the data (`owner`), another customer (`stranger`),
a `teller`, an `admin`, and the owner after being disabled (`disabled`). Each row lists who may
make the call; everybody else must be refused with a typed error and nothing may move.

Session axis — for every row, an allowed caller whose session is missing, made up, signed out,
idle past the timeout, or still owes a sign-in step (second factor, password change, second
factor enrolment) is refused with a `SessionError`, and nothing changes (no entry, no audit
event). The sign-in steps themselves (`STEP_CALLS`) accept exactly the states they serve.

A public method on any service of `Bank` without a row here (or a stated exemption) fails
`test_every_public_method_has_a_row`.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, update

from bankapp.bank import Bank
from bankapp.domain.card_types import IssuedCard
from bankapp.domain.statement_types import StatementPeriod
from bankapp.domain.types import AccountKind, Actor, Role, SessionState
from bankapp.errors import (
    BankError,
    CardDetailsInvalid,
    NotFound,
    PermissionDenied,
    SessionError,
)
from bankapp.services.sessions import open_session, token_hash
from bankapp.services.standing_orders import NewStandingOrder
from bankapp.storage.models import Account, AuditEvent, UserSession
from tests.fixtures import (
    approved_application,
    counter_staff,
    credit_card,
    funded_account,
    make_customer,
    make_staff,
)

CALLERS = ("owner", "stranger", "teller", "admin", "disabled")
ADMIN = frozenset({"admin"})
STAFF = frozenset({"teller", "admin"})
OWNER_AND_STAFF = frozenset({"owner", "teller", "admin"})
OWNER = frozenset({"owner"})
EVERY_ACTIVE = frozenset({"owner", "stranger", "teller", "admin"})
BIG = 1_500_000  # over the approval threshold
# How a call refuses someone: not allowed, or (for what they may not see) not found; a card
# that is not the caller's is "not recognised", exactly like a wrong number.
REFUSALS = (PermissionDenied, NotFound, CardDetailsInvalid)


def _counts(bank: Bank) -> tuple[int, int, int]:
    report = bank.verify()
    events = AuditEvent
    audit = bank.db.read(
        lambda tx: tx.conn.execute(select(func.count()).select_from(events)).scalar_one()
    )
    return report.entries, report.postings, int(audit)


def assert_only_the_allowed_callers_succeed(
    bank: Bank,
    call_name: str,
    call: Callable[[Actor], object],
    allowed: frozenset[str],
    actors: dict[str, Actor],
    used_up: Callable[[], object] = lambda: None,
) -> None:
    """Make the call as every caller: those allowed succeed, everybody else is refused with a
    typed error, a refused call posts no money, and the books verify at the end."""
    outcomes: dict[str, str] = {}
    for caller in CALLERS:
        before = bank.verify()
        try:
            call(actors[caller])
        except REFUSALS as exc:
            outcomes[caller] = f"refused: {exc.code}"
            after = bank.verify()
            assert (after.entries, after.postings) == (before.entries, before.postings), (
                f"{call_name} by {caller} was refused but still posted money"
            )
        else:
            outcomes[caller] = "allowed"
            used_up()
    expected = {c: "allowed" if c in allowed else "refused" for c in CALLERS}
    assert {c: o.split(":")[0] for c, o in outcomes.items()} == expected, outcomes
    assert bank.verify().ok


# -- sessions that may not act --------------------------------------------------------------


def _session_in(bank: Bank, actor: Actor, state: SessionState) -> Actor:
    token = bank.db.write(lambda tx: open_session(tx, actor.user_id, state))
    return Actor(actor.user_id, actor.username, actor.role, session=token)


def _signed_out(bank: Bank, actor: Actor) -> Actor:
    session = _session_in(bank, actor, SessionState.ACTIVE)
    bank.auth.sign_out(session)
    return session


def _idle(bank: Bank, actor: Actor) -> Actor:
    """An active session last used longer ago than the idle timeout."""
    session = _session_in(bank, actor, SessionState.ACTIVE)
    table = UserSession
    long_ago = bank.clock.now() - bank.settings.session_idle_timeout - timedelta(seconds=1)
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(table)
            .where(table.c.token_hash == token_hash(session.session))
            .values(last_seen_at=long_ago)
        )
    )
    return session


def _expired(bank: Bank, actor: Actor) -> Actor:
    """A session signed in longer ago than the absolute limit."""
    session = _session_in(bank, actor, SessionState.ACTIVE)
    table = UserSession
    long_ago = bank.clock.now() - bank.settings.session_max_age - timedelta(seconds=1)
    bank.db.write(
        lambda tx: tx.conn.execute(
            update(table)
            .where(table.c.token_hash == token_hash(session.session))
            .values(created_at=long_ago)
        )
    )
    return session


BAD_SESSIONS: dict[str, Callable[[Bank, Actor], Actor]] = {
    "missing": lambda bank, a: Actor(a.user_id, a.username, a.role),
    "made up": lambda bank, a: Actor(a.user_id, a.username, a.role, secrets.token_urlsafe(32)),
    "another user's": lambda bank, a: Actor(a.user_id + 1000, a.username, Role.ADMIN, a.session),
    "signed out": _signed_out,
    "idle": _idle,
    "expired": _expired,
    "needs the second factor": lambda b, a: _session_in(b, a, SessionState.NEEDS_SECOND_FACTOR),
    "must change the password": lambda b, a: _session_in(b, a, SessionState.MUST_CHANGE_PASSWORD),
    "must enrol": lambda b, a: _session_in(b, a, SessionState.MUST_ENROL_SECOND_FACTOR),
    "locked": lambda b, a: _session_in(b, a, SessionState.LOCKED),
}


def assert_no_bad_session_acts(
    bank: Bank, call_name: str, call: Callable[[Actor], object], actor: Actor
) -> None:
    """Every kind of session that may not act is refused with a SessionError, and the call
    leaves no trace: no entry, no posting, no audit event."""
    for kind, make in BAD_SESSIONS.items():
        session = make(bank, actor)
        before = _counts(bank)
        with pytest.raises(SessionError):
            call(session)
        assert _counts(bank) == before, f"{call_name} with a {kind} session changed something"


# -- customer calls -------------------------------------------------------------------------


@dataclass
class World:
    bank: Bank
    owner: Actor
    account: int  # the owner's funded checking account
    number: str
    other_number: str  # an account of the stranger's, as a transfer target
    card: IssuedCard  # the owner's debit card on `account`
    credit: IssuedCard  # the owner's credit card
    statement: int  # a statement the owner generated for `account`
    period: StatementPeriod
    decider: Actor  # a supervisor outside the callers, who clears up what a row filed
    # Fresh objects for the rows that change one (freeze an account, cancel a card), made
    # before any call so a refused call leaves no trace; a call that succeeds uses one up.
    spares: list[int]
    # Standing orders of the owner's, active and paused, used up like `spares`.
    orders: list[int] = dataclasses.field(default_factory=list)
    paused: list[int] = dataclasses.field(default_factory=list)

    def spare(self) -> int:
        return self.spares[-1]

    def spare_order(self) -> int:
        return self.orders[-1]

    def paused_order(self) -> int:
        return self.paused[-1]


Call = Callable[[World, Actor], object]


SPARES = 4  # at most the three allowed callers use one up each


def _freeze_directly(tx: Any, account: int) -> None:
    table = Account
    tx.conn.execute(update(table).where(table.c.id == account).values(status="frozen"))


def _purchase(w: World, a: Actor) -> object:
    card = w.card
    return w.bank.cards.purchase(
        a, pan=card.pan, expiry=card.card.expiry, cvv=card.cvv, merchant="Shop", amount=100
    )


def _apply_for_credit(w: World, a: Actor) -> object:
    """Apply, then have the application declined, so the next caller may apply too (one
    application waits at a time)."""
    item = w.bank.cards.apply_for_credit(a, 100_000, owner_id=w.owner.user_id)
    return w.bank.approvals.reject(w.decider, item.id, "Cleared by the test")


def _place_hold(w: World, a: Actor) -> object:
    until = w.bank.clock.now() + timedelta(days=1)
    return w.bank.holds.place(a, w.account, 100, "Suspected fraud", until=until)


CALLS: dict[str, tuple[Call, frozenset[str]]] = {
    "accounts.list_accounts": (
        lambda w, a: w.bank.accounts.list_accounts(a, owner_id=w.owner.user_id),
        OWNER_AND_STAFF,
    ),
    "accounts.get": (lambda w, a: w.bank.accounts.get(a, w.account), OWNER_AND_STAFF),
    # Every active user gets a mark of what they themselves may see (tests/services/test_changes).
    "changes.mark": (lambda w, a: w.bank.changes.mark(a), EVERY_ACTIVE),
    "accounts.open for the owner": (
        lambda w, a: w.bank.accounts.open(a, AccountKind.SAVINGS, owner_id=w.owner.user_id),
        OWNER_AND_STAFF,
    ),
    "standing_orders.create": (
        lambda w, a: w.bank.standing_orders.create(
            a,
            NewStandingOrder(
                from_account_id=w.account,
                to_account_number=w.other_number,
                name="Gym",
                amount=1_000,
                frequency="weekly",
                day=2,
                start_date=w.bank.clock.now().date(),
            ),
        ),
        OWNER_AND_STAFF,
    ),
    "standing_orders.preview": (
        lambda w, a: w.bank.standing_orders.preview(
            a,
            NewStandingOrder(
                from_account_id=w.account,
                to_account_number=w.other_number,
                name="Gym",
                amount=1_000,
                frequency="weekly",
                day=2,
                start_date=w.bank.clock.now().date(),
            ),
        ),
        OWNER_AND_STAFF,
    ),
    "standing_orders.list_orders": (
        lambda w, a: w.bank.standing_orders.list_orders(a, w.account),
        OWNER_AND_STAFF,
    ),
    "standing_orders.pause": (
        lambda w, a: w.bank.standing_orders.pause(a, w.spare_order()),
        OWNER_AND_STAFF,
    ),
    "standing_orders.resume": (
        lambda w, a: w.bank.standing_orders.resume(a, w.paused_order()),
        OWNER_AND_STAFF,
    ),
    "standing_orders.cancel": (
        lambda w, a: w.bank.standing_orders.cancel(a, w.spare_order()),
        OWNER_AND_STAFF,
    ),
    "accounts.rename": (
        lambda w, a: w.bank.accounts.rename(a, w.account, "Renamed"),
        OWNER_AND_STAFF,
    ),
    "accounts.freeze": (lambda w, a: w.bank.accounts.freeze(a, w.spare()), STAFF),
    "accounts.unfreeze": (lambda w, a: w.bank.accounts.unfreeze(a, w.spare()), STAFF),
    "accounts.close": (lambda w, a: w.bank.accounts.close(a, w.spare()), OWNER_AND_STAFF),
    "accounts.preview_close": (
        lambda w, a: w.bank.accounts.preview_close(a, w.spare()),
        OWNER_AND_STAFF,
    ),
    "accounts.find_destination": (
        lambda w, a: w.bank.accounts.find_destination(a, w.number),
        EVERY_ACTIVE,
    ),
    "payments.deposit": (lambda w, a: w.bank.payments.deposit(a, w.account, 100), OWNER_AND_STAFF),
    "payments.withdraw": (
        lambda w, a: w.bank.payments.withdraw(a, w.account, 100),
        OWNER_AND_STAFF,
    ),
    "payments.preview": (
        lambda w, a: w.bank.payments.preview(a, "withdraw", w.account, 100),
        OWNER_AND_STAFF,
    ),
    "payments.preview_movement": (
        lambda w, a: w.bank.payments.preview_movement(
            a, "transfer", w.account, 100, to_account_number=w.other_number
        ),
        OWNER_AND_STAFF,
    ),
    "payments.transfer": (
        lambda w, a: w.bank.payments.transfer(a, w.account, w.other_number, 100),
        OWNER_AND_STAFF,
    ),
    "history.page": (lambda w, a: w.bank.history.page(a, w.account), OWNER_AND_STAFF),
    "history.recent": (lambda w, a: w.bank.history.recent(a, [w.account]), OWNER_AND_STAFF),
    "cards.list_cards": (
        lambda w, a: w.bank.cards.list_cards(a, owner_id=w.owner.user_id),
        OWNER_AND_STAFF,
    ),
    "cards.get": (lambda w, a: w.bank.cards.get(a, w.card.card.id), OWNER_AND_STAFF),
    "cards.transactions": (
        lambda w, a: w.bank.cards.transactions(a, w.card.card.id),
        OWNER_AND_STAFF,
    ),
    "cards.issue_debit": (
        lambda w, a: w.bank.cards.issue_debit(a, w.account),
        OWNER_AND_STAFF,
    ),
    "cards.issue debit": (
        lambda w, a: w.bank.cards.issue(a, "debit", account_id=w.account),
        OWNER_AND_STAFF,
    ),
    "cards.issue_credit from an approved application": (
        lambda w, a: w.bank.cards.issue_credit(a, w.spare()),
        OWNER_AND_STAFF,
    ),
    "cards.freeze": (lambda w, a: w.bank.cards.freeze(a, w.spare()), OWNER_AND_STAFF),
    "cards.unfreeze": (
        lambda w, a: w.bank.cards.unfreeze(a, w.spare()),
        OWNER_AND_STAFF,
    ),
    "cards.report_lost": (
        lambda w, a: w.bank.cards.report_lost(a, w.spare()),
        OWNER_AND_STAFF,
    ),
    "cards.cancel": (lambda w, a: w.bank.cards.cancel(a, w.spare()), OWNER_AND_STAFF),
    "cards.replace": (lambda w, a: w.bank.cards.replace(a, w.spare()), OWNER_AND_STAFF),
    "cards.purchase": (_purchase, OWNER_AND_STAFF),
    "cards.pay": (
        lambda w, a: w.bank.cards.pay(a, w.credit.card.id, w.account, 100),
        OWNER_AND_STAFF,
    ),
    "cards.preview_pay": (
        lambda w, a: w.bank.cards.preview_pay(a, w.credit.card.id, w.account, 100),
        OWNER_AND_STAFF,
    ),
    "statements.account_id_for_number": (
        lambda w, a: w.bank.statements.account_id_for_number(a, w.number),
        OWNER_AND_STAFF,
    ),
    "statements.view": (
        lambda w, a: w.bank.statements.view(a, w.account, w.period),
        OWNER_AND_STAFF,
    ),
    "statements.summary": (
        lambda w, a: w.bank.statements.summary(a, w.account, w.period),
        OWNER_AND_STAFF,
    ),
    "statements.lines": (
        lambda w, a: w.bank.statements.lines(a, w.account, w.period),
        OWNER_AND_STAFF,
    ),
    "statements.balance_series": (
        lambda w, a: w.bank.statements.balance_series(a, w.account, w.period),
        OWNER_AND_STAFF,
    ),
    "statements.generate": (
        lambda w, a: w.bank.statements.generate(a, w.account, w.period),
        OWNER_AND_STAFF,
    ),
    "statements.reprint": (
        lambda w, a: w.bank.statements.reprint(a, w.statement),
        OWNER_AND_STAFF,
    ),
    "statements.records": (
        lambda w, a: w.bank.statements.records(a, w.account),
        OWNER_AND_STAFF,
    ),
    "auth.get_user": (lambda w, a: w.bank.auth.get_user(a, w.owner.user_id), OWNER_AND_STAFF),
    "auth.update_profile": (
        lambda w, a: w.bank.auth.update_profile(
            a, full_name="New Name", email="n@example.com", user_id=w.owner.user_id
        ),
        OWNER_AND_STAFF,
    ),
    "auth.sign_ins (own)": (lambda w, a: w.bank.auth.sign_ins(a), EVERY_ACTIVE),
    "auth.create_user customer": (
        lambda w, a: w.bank.auth.create_user(
            a,
            username=f"new{a.user_id}",
            password="customer passphrase 1",
            full_name="New Customer",
            email="c@example.com",
        ),
        STAFF,
    ),
    "cards.apply_for_credit for the owner": (_apply_for_credit, OWNER_AND_STAFF),
    "cards.credit_applications": (
        lambda w, a: w.bank.cards.credit_applications(a, owner_id=w.owner.user_id),
        OWNER_AND_STAFF,
    ),
    "cards.authorisations": (
        lambda w, a: w.bank.cards.authorisations(a, w.card.card.id),
        OWNER_AND_STAFF,
    ),
    "cards.capture": (lambda w, a: w.bank.cards.capture(a, w.spare()), STAFF),
    "holds.list_holds": (lambda w, a: w.bank.holds.list_holds(a, w.account), OWNER_AND_STAFF),
    "holds.place": (_place_hold, STAFF),
    "holds.release": (lambda w, a: w.bank.holds.release(a, w.spare(), "Verified"), STAFF),
    "payments.return_deposit": (
        lambda w, a: w.bank.payments.return_deposit(a, w.spare(), "Check bounced"),
        STAFF,
    ),
}


# What the rows that change an object need made beforehand.
SPARE_KINDS = {
    "accounts.freeze": "account",
    "accounts.close": "account",
    "accounts.preview_close": "account",
    "accounts.unfreeze": "frozen account",
    "cards.freeze": "card",
    "cards.report_lost": "card",
    "cards.cancel": "card",
    "cards.replace": "card",
    "cards.unfreeze": "frozen card",
    "cards.issue_credit from an approved application": "approved application",
    "cards.capture": "authorisation",
    "holds.release": "authorisation",
    "payments.return_deposit": "check deposit",
}


def _spares(bank: Bank, owner: Actor, account: int, kind: str) -> list[int]:
    if kind in ("account", "frozen account"):
        made = [bank.accounts.open(owner, AccountKind.SAVINGS).id for _ in range(SPARES)]
        if kind == "frozen account":
            bank.db.write(lambda tx: [_freeze_directly(tx, a) for a in made] and None)
        return made
    if kind in ("card", "frozen card"):
        cards = [bank.cards.issue_debit(owner, account).card.id for _ in range(SPARES)]
        if kind == "frozen card":  # frozen by their owner, who may lift it, as staff may
            for card in cards:
                bank.cards.freeze(owner, card)
        return cards
    if kind == "approved application":
        return [approved_application(bank, owner, 100_000) for _ in range(SPARES)]
    if kind == "authorisation":
        card = bank.cards.issue_debit(owner, account)
        return [
            bank.cards.purchase(
                owner,
                pan=card.pan,
                expiry=card.card.expiry,
                cvv=card.cvv,
                merchant="Shop",
                amount=50,
            ).hold_id
            for _ in range(SPARES)
        ]
    if kind == "check deposit":
        for _ in range(SPARES):
            bank.payments.deposit(owner, account, 100, memo="Check")
        return [hold.id for hold in bank.holds.list_holds(owner, account) if hold.kind == "deposit"]
    return []


def build_world(bank: Bank, call_name: str = "") -> tuple[World, dict[str, Actor]]:
    owner = make_customer(bank, "owner")
    stranger = make_customer(bank, "stranger")
    disabled = make_customer(bank, "gone")
    admin = make_staff(bank, "admin", Role.ADMIN)
    account = funded_account(bank, owner, 100_000)
    other = bank.accounts.open(stranger, AccountKind.CHECKING)
    bank.accounts.open(disabled, AccountKind.CHECKING)
    card = bank.cards.issue_debit(owner, account)
    credit = credit_card(bank, owner, 100_000)
    bought = bank.cards.purchase(
        owner,
        pan=credit.pan,
        expiry=credit.card.expiry,
        cvv=credit.cvv,
        merchant="Shop",
        amount=5_000,
    )
    _, decider = counter_staff(bank)
    bank.cards.capture(decider, bought.hold_id)  # settled: money is owed on the card
    today = bank.clock.now().date()
    period = StatementPeriod(today - timedelta(days=30), today)
    statement = bank.statements.generate(owner, account, period).statement_id
    bank.staff.disable(decider, disabled.user_id)
    spares = _spares(bank, owner, account, SPARE_KINDS.get(call_name, ""))
    orders = [
        bank.standing_orders.create(
            owner,
            NewStandingOrder(
                from_account_id=account,
                to_account_number=other.number,
                name=f"Order {n}",
                amount=1_000,
                frequency="monthly",
                day=28,
                start_date=today,
            ),
        ).id
        for n in range(2 * SPARES)
    ]
    paused = orders[SPARES:]
    for order in paused:
        bank.standing_orders.pause(owner, order)
    world = World(
        bank,
        owner,
        account,
        bank.accounts.get(owner, account).number,
        other.number,
        card,
        credit,
        statement,
        period,
        decider,
        spares,
        orders[:SPARES],
        paused,
    )
    actors = {
        "owner": owner,
        "stranger": stranger,
        "teller": make_staff(bank, "tina", Role.TELLER),
        "admin": admin,
        "disabled": disabled,
    }
    for staff in ("teller", "admin"):  # staff take cash only through an open drawer
        bank.drawers.open_drawer(actors[staff], 10_000)
    return world, actors


@pytest.mark.parametrize("call_name", sorted(CALLS))
def test_every_call_refuses_every_caller_it_should(bank: Bank, call_name: str) -> None:
    call, allowed = CALLS[call_name]
    world, actors = build_world(bank, call_name)
    assert_only_the_allowed_callers_succeed(
        bank,
        call_name,
        lambda actor: call(world, actor),
        allowed,
        actors,
        used_up=lambda: [kept.pop() for kept in (world.spares, world.orders, world.paused) if kept],
    )


@pytest.mark.parametrize("call_name", sorted(CALLS))
def test_no_call_acts_for_a_session_that_may_not(bank: Bank, call_name: str) -> None:
    call, allowed = CALLS[call_name]
    world, actors = build_world(bank, call_name)
    caller = actors[sorted(allowed)[0]]
    assert_no_bad_session_acts(bank, call_name, lambda actor: call(world, actor), caller)


# -- teller and admin calls -----------------------------------------------------------------


@dataclass
class StaffWorld:
    bank: Bank
    owner: Actor
    maker: Actor  # another teller, with an open drawer and a pending item
    target: Actor  # a teller that admins manage
    gone: Actor  # a disabled teller, whom admins may ask to enable again
    account: int
    other_number: str
    item: int  # a pending approval made by `maker`
    drawer: int  # `maker`'s open drawer
    empty: int  # an account of the owner's with nothing in it (one that may be closed)


StaffCall = Callable[[StaffWorld, Actor], object]


def _with_drawer(w: StaffWorld, a: Actor) -> int:
    w.bank.drawers.open_drawer(a, 1_000)
    return w.bank.drawers.close_drawer(a, 1_000).id


def _preview_count(w: StaffWorld, a: Actor) -> object:
    """Open a drawer, preview closing it with the right count, then close it."""
    w.bank.drawers.open_drawer(a, 1_000)
    preview = w.bank.drawers.preview_close(a, 1_000)
    w.bank.drawers.close_drawer(a, 1_000)
    return preview


def _count_short(w: StaffWorld, a: Actor) -> object:
    """Open a drawer and count it far short: the close waits for a supervisor."""
    w.bank.drawers.open_drawer(a, 100_000)
    return w.bank.approvals.submit_drawer_close(a, 0)


STAFF_CALLS: dict[str, tuple[StaffCall, frozenset[str]]] = {
    "drawers.open_drawer": (lambda w, a: w.bank.drawers.open_drawer(a, 1_000), STAFF),
    "drawers.close_drawer": (_with_drawer, STAFF),
    "drawers.preview_close": (_preview_count, STAFF),
    "drawers.current": (lambda w, a: w.bank.drawers.current(a), STAFF),
    "drawers.get another's": (lambda w, a: w.bank.drawers.get(a, w.drawer), ADMIN),
    "approvals.needs_approval": (
        lambda w, a: w.bank.approvals.needs_approval(a, w.account, BIG),
        OWNER_AND_STAFF,
    ),
    "approvals.submit_opening_cash": (
        lambda w, a: w.bank.approvals.submit_opening_cash(a, 2_000_000),
        STAFF,
    ),
    "approvals.submit_drawer_close": (_count_short, STAFF),
    "clearing.process_due": (lambda w, a: w.bank.clearing.process_due(a), ADMIN),
    "close_of_business.close_day": (
        lambda w, a: w.bank.close_of_business.close_day(a),
        ADMIN,
    ),
    "close_of_business.report": (
        lambda w, a: w.bank.close_of_business.report(
            a, w.bank.clock.now().date() - timedelta(days=1)
        ),
        ADMIN,
    ),
    "approvals.submit": (
        lambda w, a: w.bank.approvals.submit(
            a, "transfer", w.account, BIG, to_account_number=w.other_number
        ),
        STAFF,
    ),
    "approvals.submit_account_closure": (
        # An empty account: a funded one is refused when the request is filed.
        lambda w, a: w.bank.approvals.submit_account_closure(a, w.empty),
        STAFF,
    ),
    "approvals.page": (lambda w, a: w.bank.approvals.page(a), STAFF),
    "approvals.get another's": (lambda w, a: w.bank.approvals.get(a, w.item), ADMIN),
    "approvals.preview_approve": (
        lambda w, a: w.bank.approvals.preview_approve(a, w.item),
        ADMIN,
    ),
    "approvals.approve": (lambda w, a: w.bank.approvals.approve(a, w.item), ADMIN),
    "approvals.reject": (lambda w, a: w.bank.approvals.reject(a, w.item, "No ID shown"), ADMIN),
    "customers.search": (lambda w, a: w.bank.customers.search(a, "owner"), STAFF),
    "customers.overview": (lambda w, a: w.bank.customers.overview(a, w.owner.user_id), STAFF),
    "customers.recent": (lambda w, a: w.bank.customers.recent(a), STAFF),
    "reports.end_of_day": (lambda w, a: w.bank.reports.end_of_day(a), STAFF),
    "bank_settings.show": (lambda w, a: w.bank.bank_settings.show(a), ADMIN),
    "bank_settings.propose": (
        lambda w, a: w.bank.bank_settings.propose(a, "atm_daily_limit", "1,500.00"),
        ADMIN,
    ),
    "audit_log.page": (lambda w, a: w.bank.audit_log.page(a), ADMIN),
    "audit_log.verify": (lambda w, a: w.bank.audit_log.verify(a), ADMIN),
    "staff.page": (lambda w, a: w.bank.staff.page(a), ADMIN),
    "staff.create": (
        lambda w, a: w.bank.staff.create(
            a,
            username=f"hire{a.user_id}",
            full_name="New Hire",
            email="hire@bank.example",
            role="teller",
        ),
        ADMIN,
    ),
    "staff.disable": (lambda w, a: w.bank.staff.disable(a, w.target.user_id), ADMIN),
    "staff.enable": (lambda w, a: w.bank.staff.enable(a, w.gone.user_id), ADMIN),
    "staff.change_role": (
        lambda w, a: w.bank.staff.change_role(a, w.target.user_id, "admin"),
        ADMIN,
    ),
    "staff.reset_password": (
        lambda w, a: w.bank.staff.reset_password(a, w.target.user_id),
        ADMIN,
    ),
    "staff.unlock": (lambda w, a: w.bank.staff.unlock(a, w.target.user_id), ADMIN),
    "staff.reset_second_factor": (
        lambda w, a: w.bank.staff.reset_second_factor(a, w.target.user_id),
        ADMIN,
    ),
    "totp.remaining_recovery_codes (own)": (
        lambda w, a: w.bank.totp.remaining_recovery_codes(a),
        EVERY_ACTIVE,
    ),
}


def build_staff_world(bank: Bank) -> tuple[StaffWorld, dict[str, Actor]]:
    owner = make_customer(bank, "owner")
    stranger = make_customer(bank, "stranger")
    disabled = make_customer(bank, "gone")
    admin = make_staff(bank, "admin", Role.ADMIN)
    maker = make_staff(bank, "maker", Role.TELLER)
    target = make_staff(bank, "target", Role.TELLER)
    gone = make_staff(bank, "gone_teller", Role.TELLER)
    account = funded_account(bank, owner, 3_000_000)
    other = bank.accounts.open(stranger, AccountKind.CHECKING)
    _, supervisor = counter_staff(bank)
    bank.staff.disable(supervisor, disabled.user_id)
    bank.staff.disable(supervisor, gone.user_id)
    drawer = bank.drawers.open_drawer(maker, 100_000).id
    item = bank.approvals.submit(maker, "deposit", account, BIG).id
    # Yesterday is closed (by the operator), so there is a report to ask for.
    bank.operator.close_day(bank.clock.now().date() - timedelta(days=1))
    empty = bank.accounts.open(owner, AccountKind.SAVINGS).id
    world = StaffWorld(bank, owner, maker, target, gone, account, other.number, item, drawer, empty)
    actors = {
        "owner": owner,
        "stranger": stranger,
        "teller": make_staff(bank, "tina", Role.TELLER),
        "admin": admin,
        "disabled": disabled,
    }
    return world, actors


@pytest.mark.parametrize("call_name", sorted(STAFF_CALLS))
def test_every_staff_call_refuses_every_caller_it_should(bank: Bank, call_name: str) -> None:
    call, allowed = STAFF_CALLS[call_name]
    world, actors = build_staff_world(bank)
    assert_only_the_allowed_callers_succeed(
        bank, call_name, lambda actor: call(world, actor), allowed, actors
    )


@pytest.mark.parametrize("call_name", sorted(STAFF_CALLS))
def test_no_staff_call_acts_for_a_session_that_may_not(bank: Bank, call_name: str) -> None:
    call, allowed = STAFF_CALLS[call_name]
    world, actors = build_staff_world(bank)
    caller = actors[sorted(allowed)[0]]
    assert_no_bad_session_acts(bank, call_name, lambda actor: call(world, actor), caller)


# -- the sign-in steps ----------------------------------------------------------------------

Step = Callable[[Bank, Actor], object]
# Each step accepts only the session states it serves; with any other it is refused with a
# SessionError (its own refusals, a wrong code or password, are other typed errors).
STEP_CALLS: dict[str, tuple[Step, frozenset[SessionState]]] = {
    "auth.complete_second_factor": (
        lambda b, a: b.auth.complete_second_factor(a, "000000"),
        frozenset({SessionState.NEEDS_SECOND_FACTOR}),
    ),
    "auth.change_password": (
        lambda b, a: b.auth.change_password(a, "not the password", "x" * 20, "x" * 20),
        frozenset({SessionState.ACTIVE, SessionState.MUST_CHANGE_PASSWORD}),
    ),
    "totp.begin_enrolment": (
        lambda b, a: b.totp.begin_enrolment(a),
        frozenset({SessionState.ACTIVE, SessionState.MUST_ENROL_SECOND_FACTOR}),
    ),
    "totp.confirm_enrolment": (
        lambda b, a: b.totp.confirm_enrolment(a, "000000"),
        frozenset({SessionState.ACTIVE, SessionState.MUST_ENROL_SECOND_FACTOR}),
    ),
    "auth.lock": (
        lambda b, a: b.auth.lock(a),
        frozenset({SessionState.ACTIVE, SessionState.LOCKED}),
    ),
    "auth.unlock_session": (
        lambda b, a: b.auth.unlock_session(a, "not the password"),
        frozenset({SessionState.ACTIVE, SessionState.LOCKED}),
    ),
}
STATES = (
    SessionState.NEEDS_SECOND_FACTOR,
    SessionState.MUST_CHANGE_PASSWORD,
    SessionState.MUST_ENROL_SECOND_FACTOR,
    SessionState.ACTIVE,
    SessionState.LOCKED,
    SessionState.ENDED,
)


@pytest.mark.parametrize("call_name", sorted(STEP_CALLS))
def test_each_sign_in_step_serves_only_its_own_states(bank: Bank, call_name: str) -> None:
    call, accepted = STEP_CALLS[call_name]
    staff = make_staff(bank, "tina", Role.TELLER)
    for state in STATES:
        session = _session_in(bank, staff, state)
        try:
            call(bank, session)
        except SessionError as exc:
            assert state not in accepted, f"{call_name} refused a {state} session: {exc}"
        except BankError:
            assert state in accepted, f"{call_name} got past the session check in {state}"
        else:
            assert state in accepted, f"{call_name} acted for a {state} session"
    for kind in ("missing", "made up", "another user's", "signed out", "expired"):
        with pytest.raises(SessionError):
            call(bank, BAD_SESSIONS[kind](bank, staff))


def test_signing_out_works_in_every_state_and_twice(bank: Bank) -> None:
    staff = make_staff(bank, "tina", Role.TELLER)
    for state in STATES:
        session = _session_in(bank, staff, state)
        bank.auth.sign_out(session)
        bank.auth.sign_out(session)
        with pytest.raises(SessionError):
            bank.accounts.list_accounts(session)
    with pytest.raises(SessionError):
        bank.auth.sign_out(BAD_SESSIONS["made up"](bank, staff))


# -- every method has a row -----------------------------------------------------------------

# Methods that take no actor (nothing to check a session against).
EXEMPT = {
    "payments.parse_amount": "parses text; no data",
    "statements.period": "date arithmetic; no data",
    "statements.today": "the bank's clock; no data",
    "auth.login": "signing in: no session yet (test_auth.py, test_sessions.py)",
    "auth.register": "self-registration: no session yet (test_auth.py)",
    "auth.password_problems": "the rules for live feedback; no data",
    "auth.sign_out": "every state, twice (test_signing_out_works_in_every_state_and_twice)",
}
# `bank.operator` is the local operator's (SECURITY.md, Trust model): no screen reaches it
# (tests/architecture), and `ctx` is the services' shared context, not a service.
NOT_SERVICES = {"operator", "ctx"}


def public_service_methods() -> list[str]:
    """`service.method` for every public method of every service a `Bank` holds."""
    bank = Bank(create_engine("sqlite://"))
    found = []
    for name, service in vars(bank).items():
        if name in NOT_SERVICES or not type(service).__module__.startswith("bankapp.services"):
            continue
        for method in dir(type(service)):
            if not method.startswith("_") and callable(getattr(service, method)):
                found.append(f"{name}.{method}")
    bank.close()
    return found


def test_every_public_method_has_a_row() -> None:
    """A new public method on any service must get a row (or a stated exemption)."""
    listed = {name.split(" ")[0] for name in (*CALLS, *STAFF_CALLS, *STEP_CALLS)}
    found = public_service_methods()
    assert len(found) > 60 and "payments.transfer" in found
    missing = sorted(name for name in found if name not in listed and name not in EXEMPT)
    assert missing == [], f"no permission row for {missing}"
