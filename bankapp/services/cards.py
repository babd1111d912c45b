"""Card use cases: issue debit and credit cards, freeze, report lost or stolen, replace, cancel,
authorise purchases against the card, pay a credit card, list cards and their transactions.

The full card number and CVV exist only inside `issue`/`replace` (returned once) and
`purchase` (presented by the caller); the database keeps the last four digits and a keyed
hash of the number, and the CVV is derived from number and expiry with the installation key.
"""

from __future__ import annotations

import builtins
import hmac
import random
import secrets
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bankapp.account_numbers import BODY_DIGITS, check_digits, mask_account_number
from bankapp.cards import (
    CardKind,
    CardStatus,
    CardTransaction,
    CardView,
    IssuedCard,
    derive_cvv,
    expiry_for,
    is_expired,
    luhn_valid,
    mask_pan,
    new_pan,
    normalise_pan,
    pan_hash,
    parse_expiry,
)
from bankapp.domain import AccountKind, Actor, EntryResult, Role
from bankapp.errors import (
    AccountNotOpen,
    CardBlocked,
    CardDeclined,
    CardDetailsInvalid,
    CardExpired,
    CardFrozen,
    CardInsufficientFunds,
    CardNotFound,
    CardSecurityCodeWrong,
    CardStatusConflict,
    CreditLimitExceeded,
    InsufficientFunds,
    InvalidAmount,
    InvalidCreditLimit,
    PermissionDenied,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.access import accessible_account, customer_for, owner_name, require_active
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import (
    Leg,
    find_replay,
    internal_account,
    post_entry,
    request_fingerprint,
)
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, AuditEvent, Card, JournalEntry, Posting, User
from bankapp.validation import clean_text

_cards = cast(Table, Card.__table__)
_accounts = cast(Table, Account.__table__)
_entries = cast(Table, JournalEntry.__table__)
_postings = cast(Table, Posting.__table__)
_users = cast(Table, User.__table__)

MERCHANT_SETTLEMENT = "merchant:settlement"
MAX_USABLE_CARDS = 10
MERCHANT_MAX = 60
MAX_CVV_FAILURES = 3
USABLE = (CardStatus.ACTIVE.value, CardStatus.FROZEN.value)


class CardService:
    """Cards for customers; staff (tellers, admins) may act on any customer's cards."""

    def __init__(
        self,
        ctx: ServiceContext,
        key_source: Callable[[], bytes],
        rng: random.Random | None = None,
    ) -> None:
        self._ctx = ctx
        self._key_source = key_source
        # Card numbers come from the OS's CSPRNG; tests and the demo may inject a seeded one.
        self.rng: random.Random = rng or secrets.SystemRandom()

    # -- issue ----------------------------------------------------------------------------

    def issue_debit(
        self, actor: Actor, account_id: int, *, cardholder_name: str = ""
    ) -> IssuedCard:
        """A debit card spending the balance of a checking account the actor may act on."""
        return self.issue(
            actor, CardKind.DEBIT, account_id=account_id, cardholder_name=cardholder_name
        )

    def issue_credit(
        self,
        actor: Actor,
        credit_limit: int,
        *,
        owner_id: int | None = None,
        cardholder_name: str = "",
    ) -> IssuedCard:
        """A credit card with its own ledger account, which may go down to `-credit_limit`."""
        return self.issue(
            actor,
            CardKind.CREDIT,
            credit_limit=credit_limit,
            owner_id=owner_id,
            cardholder_name=cardholder_name,
        )

    def issue(
        self,
        actor: Actor,
        kind: CardKind | str,
        *,
        account_id: int | None = None,
        credit_limit: int | None = None,
        owner_id: int | None = None,
        cardholder_name: str = "",
    ) -> IssuedCard:
        """Issue a card; the result carries the full number and CVV, shown once."""
        try:
            kind = CardKind(kind)
        except ValueError:
            raise ValidationFailed("Choose a debit or a credit card.", field="kind") from None
        self._check_limit(kind, credit_limit)
        name = clean_text(
            cardholder_name,
            field="cardholder_name",
            label="Cardholder name",
            max_length=100,
            required=False,
        )
        key = self._key_source()

        def work(tx: Tx) -> IssuedCard:
            if kind == CardKind.DEBIT:
                if account_id is None:
                    raise ValidationFailed(
                        "Choose the checking account the card spends from.", field="account"
                    )
                account = self._debit_account(tx, actor, account_id)
                owner, linked = account.owner_id, account.id
            else:
                owner = customer_for(tx, actor, owner_id, holding="cards")
                linked = self._open_credit_account(tx, owner, credit_limit or 0)
            self._check_card_count(tx, owner)
            holder = name or owner_name(tx, owner)
            return self._insert_card(tx, actor, key, kind, owner, linked, holder, None)

        return self._ctx.db.write(work)

    # -- status changes -------------------------------------------------------------------

    def freeze(self, actor: Actor, card_id: int, reason: str = "") -> CardView:
        """Temporarily refuse purchases; unfreeze lifts it."""
        return self._change_status(
            actor, card_id, CardStatus.FROZEN, reason, allowed=(CardStatus.ACTIVE,)
        )

    def unfreeze(self, actor: Actor, card_id: int, reason: str = "") -> CardView:
        return self._change_status(
            actor, card_id, CardStatus.ACTIVE, reason, allowed=(CardStatus.FROZEN,)
        )

    def report_lost(
        self, actor: Actor, card_id: int, *, stolen: bool = False, reason: str = ""
    ) -> CardView:
        """Block the card permanently; `replace` then issues a new number."""
        status = CardStatus.STOLEN if stolen else CardStatus.LOST
        return self._change_status(
            actor, card_id, status, reason, allowed=(CardStatus.ACTIVE, CardStatus.FROZEN)
        )

    def cancel(self, actor: Actor, card_id: int, reason: str = "") -> CardView:
        """Cancel a card for good. A credit card's account is closed with it once nothing is
        owed and no other card uses it; while money is owed, cancelling is refused."""
        return self._change_status(
            actor,
            card_id,
            CardStatus.CANCELLED,
            reason,
            allowed=(CardStatus.ACTIVE, CardStatus.FROZEN),
        )

    def replace(self, actor: Actor, card_id: int) -> IssuedCard:
        """A new card (new number, expiry and CVV) on the same account. A lost or stolen card
        keeps its status; an active or frozen one (damaged, expiring) becomes `replaced`."""
        key = self._key_source()

        def work(tx: Tx) -> IssuedCard:
            old = self._card_for(tx, actor, card_id, lock=True)
            status = CardStatus(old.status)
            if status in (CardStatus.CANCELLED, CardStatus.REPLACED):
                raise CardStatusConflict(f"A {status.value} card cannot be replaced.")
            if self._replacement_of(tx, old.id) is not None:
                raise CardStatusConflict("This card was already replaced.")
            account = tx.conn.execute(
                select(_accounts).where(_accounts.c.id == old.account_id)
            ).one()
            if account.status == "closed":
                raise AccountNotOpen("The card's account is closed; issue a new card instead.")
            if status in USABLE:
                self._set_status(tx, old.id, CardStatus.REPLACED)
            return self._insert_card(
                tx,
                actor,
                key,
                CardKind(old.kind),
                old.owner_id,
                old.account_id,
                old.cardholder_name,
                old.id,
            )

        return self._ctx.db.write(work)

    # -- money ----------------------------------------------------------------------------

    def purchase(
        self,
        actor: Actor,
        *,
        pan: str,
        expiry: str,
        cvv: str,
        merchant: str,
        amount: int,
        idempotency_key: str | None = None,
    ) -> EntryResult:
        """Authorise and post a purchase presented with number, expiry and CVV: a debit card
        against its account's balance, a credit card against its available credit. Any refusal
        raises a CardDeclined subclass, charges nothing and is audited."""
        self._check_amount(amount)
        merchant = clean_text(merchant, field="merchant", label="Merchant", max_length=MERCHANT_MAX)
        digits = normalise_pan(pan)
        if len(digits) != 16 or not luhn_valid(digits):
            raise CardDetailsInvalid("That is not a valid card number.", field="pan")
        presented_expiry = parse_expiry(expiry)
        if presented_expiry is None:
            raise CardDetailsInvalid("Enter the expiry date as MM/YY.", field="expiry")
        if len(cvv.strip()) != 3 or not cvv.strip().isdigit():
            raise CardDetailsInvalid("The CVV is the 3 digits on the back.", field="cvv")
        key = self._key_source()
        number_hash = pan_hash(key, digits)
        fingerprint = request_fingerprint(
            {
                "op": "card_purchase",
                "actor": actor.user_id,
                "card": number_hash,
                "merchant": merchant,
                "amount": amount,
            }
        )
        found: dict[str, Any] = {}

        def work(tx: Tx) -> EntryResult:
            replay = find_replay(tx, idempotency_key, fingerprint)
            if replay:
                return replay
            require_active(tx, actor)
            card = self._presented_card(tx, actor, number_hash)
            found.update(id=card.id, last4=card.last4)
            if (card.expiry_year, card.expiry_month) != presented_expiry:
                raise CardDetailsInvalid("The expiry date does not match the card.", field="expiry")
            expected = derive_cvv(key, digits, card.expiry_year, card.expiry_month)
            if not hmac.compare_digest(expected, cvv.strip()):
                raise CardSecurityCodeWrong("The CVV is wrong.", field="cvv")
            self._check_usable(tx, card)
            return self._post_purchase(
                tx, actor, card, merchant, amount, idempotency_key, fingerprint
            )

        try:
            return self._ctx.db.write(work)
        except CardDeclined as declined:
            if self._record_decline(actor, declined, found, merchant, amount):
                raise CardFrozen(
                    f"The CVV is wrong. After {MAX_CVV_FAILURES} wrong CVVs in a row the card "
                    "is frozen; ask the bank to unfreeze it.",
                    field="cvv",
                ) from None
            raise

    def pay(
        self,
        actor: Actor,
        card_id: int,
        from_account_id: int,
        amount: int,
        *,
        idempotency_key: str | None = None,
    ) -> EntryResult:
        """Pay (part of) what is owed on a credit card from another account."""
        self._check_amount(amount)
        fingerprint = request_fingerprint(
            {
                "op": "card_payment",
                "actor": actor.user_id,
                "card": card_id,
                "from": from_account_id,
                "amount": amount,
            }
        )

        def work(tx: Tx) -> EntryResult:
            replay = find_replay(tx, idempotency_key, fingerprint)
            if replay:
                return replay
            card = self._card_for(tx, actor, card_id)
            if card.kind != CardKind.CREDIT:
                raise ValidationFailed(
                    "Only a credit card is paid; a debit card spends its account directly."
                )
            source = accessible_account(tx, actor, from_account_id)
            credit = tx.conn.execute(
                select(_accounts).where(_accounts.c.id == card.account_id)
            ).one()
            if source.id == credit.id or source.kind in (
                AccountKind.INTERNAL,
                AccountKind.CREDIT_CARD,
            ):
                raise ValidationFailed(
                    "Pay the card from a checking, savings or business account.", field="account"
                )
            owed = -credit.balance
            if owed <= 0:
                raise InvalidAmount("Nothing is owed on this card.", field="amount")
            if amount > owed:
                raise InvalidAmount(
                    f"Only {self._ctx.money(owed)} is owed; pay at most that.", field="amount"
                )
            result = post_entry(
                tx,
                kind="card_payment",
                memo=f"Card payment · card •••• {card.last4}",
                actor=actor,
                legs=[Leg(source.id, -amount), Leg(credit.id, amount)],
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                currency=self._ctx.settings.currency,
            )
            self._link_entry(tx, result.entry_id, card.id)
            audit.record(
                tx,
                actor,
                "money.card_payment",
                f"entry {result.entry_id}",
                {
                    "card": mask_pan(card.last4),
                    "card_id": card.id,
                    "amount": amount,
                    "from": mask_account_number(source.number),
                },
            )
            return result

        return self._ctx.db.write(work)

    # -- reading --------------------------------------------------------------------------

    def list(self, actor: Actor, *, owner_id: int | None = None) -> list[CardView]:
        """The actor's cards (or, for staff, a customer's), newest first."""

        def work(tx: Tx) -> list[CardView]:
            owner = customer_for(tx, actor, owner_id, holding="cards")
            ids = tx.conn.execute(
                select(_cards.c.id).where(_cards.c.owner_id == owner).order_by(_cards.c.id.desc())
            ).scalars()
            return [self._view(tx, card_id) for card_id in ids]

        return self._ctx.db.read(work)

    def get(self, actor: Actor, card_id: int) -> CardView:
        def work(tx: Tx) -> CardView:
            return self._view(tx, self._card_for(tx, actor, card_id).id)

        return self._ctx.db.read(work)

    def transactions(
        self, actor: Actor, card_id: int, *, limit: int = 50
    ) -> builtins.list[CardTransaction]:
        """Purchases and payments made with this card, newest first."""

        def work(tx: Tx) -> builtins.list[CardTransaction]:
            card = self._card_for(tx, actor, card_id)
            rows = tx.conn.execute(
                select(
                    _entries.c.id,
                    _entries.c.kind,
                    _entries.c.memo,
                    _postings.c.created_at,
                    _postings.c.amount,
                    _postings.c.balance_after,
                )
                .join(_postings, _postings.c.entry_id == _entries.c.id)
                .where(_entries.c.card_id == card.id, _postings.c.account_id == card.account_id)
                .order_by(_postings.c.id.desc())
                .limit(max(1, min(limit, 500)))
            ).all()
            return [
                CardTransaction(r.id, r.created_at, r.kind, r.memo, r.amount, r.balance_after)
                for r in rows
            ]

        return self._ctx.db.read(work)

    # -- shared steps ---------------------------------------------------------------------

    def _check_limit(self, kind: CardKind, credit_limit: int | None) -> None:
        settings = self._ctx.settings
        if kind == CardKind.DEBIT:
            if credit_limit:
                raise InvalidCreditLimit(
                    "A debit card spends its account's balance; it cannot have a credit limit.",
                    field="credit_limit",
                )
            return
        if (
            credit_limit is None
            or isinstance(credit_limit, bool)
            or not isinstance(credit_limit, int)
        ):
            raise InvalidCreditLimit("A credit card needs a credit limit.", field="credit_limit")
        low, high = settings.credit_limit_min_cents, settings.credit_limit_max_cents
        if not low <= credit_limit <= high:
            raise InvalidCreditLimit(
                f"The credit limit must be between {self._ctx.money(low)} and "
                f"{self._ctx.money(high)}.",
                field="credit_limit",
            )

    def _check_amount(self, amount: int) -> None:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidAmount("The amount must be a whole number of cents.", field="amount")
        if amount <= 0:
            raise InvalidAmount("The amount must be more than zero.", field="amount")
        if amount > self._ctx.settings.max_amount_cents:
            raise InvalidAmount(
                f"The amount is over the limit of "
                f"{self._ctx.money(self._ctx.settings.max_amount_cents)} per operation.",
                field="amount",
            )

    def _debit_account(self, tx: Tx, actor: Actor, account_id: int) -> Any:
        account = accessible_account(tx, actor, account_id)
        if account.kind != AccountKind.CHECKING:
            raise ValidationFailed("A debit card is linked to a checking account.", field="account")
        if account.status != "open":
            raise AccountNotOpen(
                f"The account is {account.status}; choose an open one.", field="account"
            )
        return account

    def _open_credit_account(self, tx: Tx, owner: int, credit_limit: int) -> int:
        for _ in range(5):
            try:
                with tx.conn.begin_nested():
                    return int(
                        tx.conn.execute(
                            insert(_accounts)
                            .values(
                                number=self._account_number(),
                                owner_id=owner,
                                kind=AccountKind.CREDIT_CARD.value,
                                name="Credit card",
                                currency=self._ctx.settings.currency,
                                balance=0,
                                credit_limit=credit_limit,
                                unbounded=False,
                                status="open",
                                opened_at=tx.now,
                            )
                            .returning(_accounts.c.id)
                        ).scalar_one()
                    )
            except IntegrityError:
                continue  # a random account number collided; draw again
        raise ValidationFailed("Could not allocate an account number; try again.")

    def _account_number(self) -> str:
        """A credit card account's number, from the service's random source (the OS CSPRNG,
        or the seeded one the demo and tests inject, so their numbers repeat)."""
        body = str(self.rng.randrange(10 ** (BODY_DIGITS - 1), 10**BODY_DIGITS))
        return body + check_digits(body)

    def _check_card_count(self, tx: Tx, owner: int) -> None:
        usable = tx.conn.execute(
            select(func.count())
            .select_from(_cards)
            .where(_cards.c.owner_id == owner, _cards.c.status.in_(USABLE))
        ).scalar_one()
        if usable >= MAX_USABLE_CARDS:
            raise ValidationFailed(f"A customer can hold at most {MAX_USABLE_CARDS} cards.")

    def _insert_card(
        self,
        tx: Tx,
        actor: Actor,
        key: bytes,
        kind: CardKind,
        owner: int,
        account_id: int,
        holder: str,
        replaces: int | None,
    ) -> IssuedCard:
        year, month = expiry_for(tx.now)
        for _ in range(5):
            pan = new_pan(kind, self.rng)
            try:
                with tx.conn.begin_nested():
                    card_id = tx.conn.execute(
                        insert(_cards)
                        .values(
                            owner_id=owner,
                            account_id=account_id,
                            kind=kind.value,
                            last4=pan[-4:],
                            pan_hash=pan_hash(key, pan),
                            expiry_year=year,
                            expiry_month=month,
                            cardholder_name=holder,
                            status=CardStatus.ACTIVE.value,
                            issued_at=tx.now,
                            replaces_id=replaces,
                        )
                        .returning(_cards.c.id)
                    ).scalar_one()
                break
            except IntegrityError:
                continue  # the number is already in use; draw another
        else:
            raise ValidationFailed("Could not allocate a card number; try again.")
        view = self._view(tx, card_id)
        audit.record(
            tx,
            actor,
            "card.replace" if replaces else "card.issue",
            f"card {card_id}",
            {
                "card": view.masked,
                "kind": kind.value,
                "owner_id": owner,
                "account": mask_account_number(view.account_number),
                "credit_limit": view.credit_limit,
                "replaces": replaces,
            },
        )
        return IssuedCard(view, pan, derive_cvv(key, pan, year, month))

    def _card_for(self, tx: Tx, actor: Actor, card_id: int, *, lock: bool = False) -> Any:
        """The card row if the actor may act on it; a customer learns nothing of others'."""
        require_active(tx, actor)
        query = select(_cards).where(_cards.c.id == card_id)
        row = tx.conn.execute(query.with_for_update() if lock else query).one_or_none()
        if row is None or (actor.role == Role.CUSTOMER and row.owner_id != actor.user_id):
            raise CardNotFound("No such card.")
        return row

    def _presented_card(self, tx: Tx, actor: Actor, number_hash: str) -> Any:
        row = tx.conn.execute(select(_cards).where(_cards.c.pan_hash == number_hash)).one_or_none()
        # A customer's simulated purchases may only use their own cards.
        if row is None or (actor.role == Role.CUSTOMER and row.owner_id != actor.user_id):
            raise CardDetailsInvalid("The card is not recognised.", field="pan")
        return row

    def _check_usable(self, tx: Tx, card: Any) -> None:
        status = CardStatus(card.status)
        if status == CardStatus.FROZEN:
            raise CardFrozen("The card is frozen; unfreeze it to use it.")
        if status.is_blocked:
            raise CardBlocked(f"The card was {status.value}; it can no longer be used.")
        if is_expired(card.expiry_year, card.expiry_month, tx.now):
            raise CardExpired("The card has expired.")

    def _post_purchase(
        self,
        tx: Tx,
        actor: Actor,
        card: Any,
        merchant: str,
        amount: int,
        idempotency_key: str | None,
        fingerprint: str,
    ) -> EntryResult:
        currency = self._ctx.settings.currency
        settlement = internal_account(tx, MERCHANT_SETTLEMENT, "Merchant settlement", currency)
        try:
            result = post_entry(
                tx,
                kind="card_purchase",
                memo=f"{merchant} · card •••• {card.last4}",
                actor=actor,
                legs=[Leg(card.account_id, -amount), Leg(settlement, amount)],
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                currency=currency,
            )
        except InsufficientFunds as exc:
            if card.kind == CardKind.CREDIT:
                raise CreditLimitExceeded(
                    exc.message.replace("Insufficient funds", "Over the credit limit"),
                    field="amount",
                ) from None
            raise CardInsufficientFunds(exc.message, field="amount") from None
        except AccountNotOpen:
            raise CardDeclined("The card's account is frozen or closed.") from None
        self._link_entry(tx, result.entry_id, card.id)
        if card.cvv_failures:
            tx.conn.execute(update(_cards).where(_cards.c.id == card.id).values(cvv_failures=0))
        audit.record(
            tx,
            actor,
            "money.card_purchase",
            f"entry {result.entry_id}",
            {
                "card": mask_pan(card.last4),
                "card_id": card.id,
                "merchant": merchant,
                "amount": amount,
            },
        )
        return result

    def _record_decline(
        self,
        actor: Actor,
        declined: CardDeclined,
        found: dict[str, Any],
        merchant: str,
        amount: int,
    ) -> bool:
        """Audit a refused purchase in its own transaction (the refused one rolled back) and
        count a wrong CVV; True if this one froze the card."""
        subject = f"card {found['id']}" if found else "unrecognised card"
        details: dict[str, Any] = {"reason": declined.code, "merchant": merchant, "amount": amount}
        if found:
            details["card"] = mask_pan(found["last4"])
        wrong_cvv = isinstance(declined, CardSecurityCodeWrong) and bool(found)

        def work(tx: Tx) -> bool:
            audit.record(tx, actor, "card.purchase_declined", subject, details)
            if not wrong_cvv:
                return False
            failures = tx.conn.execute(
                update(_cards)
                .where(_cards.c.id == found["id"])
                .values(cvv_failures=_cards.c.cvv_failures + 1)
                .returning(_cards.c.cvv_failures, _cards.c.status)
            ).one()
            if failures.cvv_failures < MAX_CVV_FAILURES or failures.status != "active":
                return False
            self._set_status(tx, found["id"], CardStatus.FROZEN)
            audit.record(
                tx,
                None,
                "card.freeze",
                subject,
                {
                    "card": details["card"],
                    "from": "active",
                    "reason": f"{MAX_CVV_FAILURES} wrong CVVs in a row",
                },
                actor_name="system",
            )
            return True

        return self._ctx.db.write(work)

    def _change_status(
        self,
        actor: Actor,
        card_id: int,
        status: CardStatus,
        reason: str,
        *,
        allowed: tuple[CardStatus, ...],
    ) -> CardView:
        reason = clean_text(reason, field="reason", label="Reason", max_length=200, required=False)

        def work(tx: Tx) -> CardView:
            card = self._card_for(tx, actor, card_id, lock=True)
            current = CardStatus(card.status)
            if current not in allowed:
                raise CardStatusConflict(self._conflict_message(current, status))
            if status == CardStatus.ACTIVE and not actor.is_staff:
                self._require_own_freeze(tx, actor, card.id)
            if status == CardStatus.CANCELLED and card.kind == CardKind.CREDIT:
                self._close_credit_account(tx, card)
            self._set_status(tx, card.id, status)
            if status == CardStatus.ACTIVE and card.cvv_failures:
                tx.conn.execute(update(_cards).where(_cards.c.id == card.id).values(cvv_failures=0))
            verb = {
                CardStatus.ACTIVE: "unfreeze",
                CardStatus.FROZEN: "freeze",
                CardStatus.LOST: "report_lost",
                CardStatus.STOLEN: "report_stolen",
                CardStatus.CANCELLED: "cancel",
            }[status]
            audit.record(
                tx,
                actor,
                f"card.{verb}",
                f"card {card.id}",
                {"card": mask_pan(card.last4), "from": current.value, "reason": reason},
            )
            return self._view(tx, card.id)

        return self._ctx.db.write(work)

    @staticmethod
    def _require_own_freeze(tx: Tx, actor: Actor, card_id: int) -> None:
        """A customer lifts only a freeze they made; one made by the bank (a teller, or the
        wrong-CVV rule) stays until staff lift it."""
        events = cast(Table, AuditEvent.__table__)
        froze_by = tx.conn.execute(
            select(events.c.actor_id)
            .where(events.c.kind == "card.freeze", events.c.subject == f"card {card_id}")
            .order_by(events.c.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        if froze_by != actor.user_id:
            raise PermissionDenied("The bank froze this card; ask a teller to unfreeze it.")

    @staticmethod
    def _conflict_message(current: CardStatus, wanted: CardStatus) -> str:
        if current == wanted:
            return f"The card is already {current.value}."
        if current.is_blocked:
            return f"The card was {current.value}; it is blocked for good."
        return f"A {current.value} card cannot be changed to {wanted.value}."

    def _close_credit_account(self, tx: Tx, card: Any) -> None:
        account = tx.conn.execute(select(_accounts).where(_accounts.c.id == card.account_id)).one()
        if account.balance < 0:
            raise CardStatusConflict(
                f"{self._ctx.money(-account.balance)} is owed on this card; pay it before "
                "cancelling."
            )
        others = tx.conn.execute(
            select(func.count())
            .select_from(_cards)
            .where(
                _cards.c.account_id == account.id,
                _cards.c.id != card.id,
                _cards.c.status.in_(USABLE),
            )
        ).scalar_one()
        if not others and account.balance == 0:
            tx.conn.execute(
                update(_accounts)
                .where(_accounts.c.id == account.id)
                .values(status="closed", closed_at=tx.now)
            )

    @staticmethod
    def _set_status(tx: Tx, card_id: int, status: CardStatus) -> None:
        tx.conn.execute(update(_cards).where(_cards.c.id == card_id).values(status=status.value))

    @staticmethod
    def _link_entry(tx: Tx, entry_id: int, card_id: int) -> None:
        tx.conn.execute(update(_entries).where(_entries.c.id == entry_id).values(card_id=card_id))

    @staticmethod
    def _replacement_of(tx: Tx, card_id: int) -> int | None:
        found = tx.conn.execute(
            select(_cards.c.id).where(_cards.c.replaces_id == card_id)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def _view(self, tx: Tx, card_id: int) -> CardView:
        row = tx.conn.execute(
            select(_cards, _accounts.c.number, _accounts.c.balance, _accounts.c.credit_limit)
            .join(_accounts, _accounts.c.id == _cards.c.account_id)
            .where(_cards.c.id == card_id)
        ).one()
        return CardView(
            id=row.id,
            owner_id=row.owner_id,
            owner_name=owner_name(tx, row.owner_id),
            account_id=row.account_id,
            account_number=row.number,
            kind=CardKind(row.kind),
            last4=row.last4,
            expiry_year=row.expiry_year,
            expiry_month=row.expiry_month,
            cardholder_name=row.cardholder_name,
            status=CardStatus(row.status),
            issued_at=row.issued_at,
            replaces_id=row.replaces_id,
            replaced_by_id=self._replacement_of(tx, row.id),
            balance=row.balance,
            credit_limit=row.credit_limit,
        )
