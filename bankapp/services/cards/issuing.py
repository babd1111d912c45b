"""Issuing cards: debit cards on a checking account, credit cards with their own ledger
account, and replacements. The full number and CVV leave the service only here, once."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bankapp.domain.account_numbers import BODY_DIGITS, check_digits, mask_account_number
from bankapp.domain.card_numbers import (
    derive_cvv,
    expiry_for,
    new_pan,
    pan_hash,
)
from bankapp.domain.card_types import CardKind, CardStatus, IssuedCard
from bankapp.domain.types import AccountKind, Actor, Caller
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    AccountNotOpen,
    CardStatusConflict,
    InvalidCreditLimit,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.access import accessible_account, customer_for, owner_name
from bankapp.services.account_rows import insert_account
from bankapp.services.cards.card_rows import (
    MAX_USABLE_CARDS,
    USABLE,
    card_for,
    card_view,
    replacement_of,
    set_card_status,
)
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Card, table_of

_cards = table_of(Card)
_accounts = table_of(Account)


class CardIssuing:
    """Issue and replace cards."""

    _ctx: ServiceContext
    _key_source: Callable[[], bytes]
    rng: random.Random

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

        def work(tx: Tx, caller: Caller) -> IssuedCard:
            if kind == CardKind.DEBIT:
                if account_id is None:
                    raise ValidationFailed(
                        "Choose the checking account the card spends from.", field="account"
                    )
                account = self._debit_account(tx, caller, account_id)
                owner, linked = account.owner_id, account.id
            else:
                owner = customer_for(tx, caller, owner_id, holding="cards")
                linked = self._open_credit_account(tx, owner, credit_limit or 0)
            self._check_card_count(tx, owner)
            holder = name or owner_name(tx, owner)
            return self._insert_card(tx, caller, key, kind, owner, linked, holder, None)

        return self._ctx.write_as(actor, work)

    def replace(self, actor: Actor, card_id: int) -> IssuedCard:
        """A new card (new number, expiry and CVV) on the same account. A lost or stolen card
        keeps its status; an active or frozen one (damaged, expiring) becomes `replaced`."""
        key = self._key_source()

        def work(tx: Tx, caller: Caller) -> IssuedCard:
            old = card_for(tx, caller, card_id, lock=True)
            status = CardStatus(old.status)
            if status in (CardStatus.CANCELLED, CardStatus.REPLACED):
                raise CardStatusConflict(f"A {status.value} card cannot be replaced.")
            if replacement_of(tx, old.id) is not None:
                raise CardStatusConflict("This card was already replaced.")
            account = tx.conn.execute(
                select(_accounts).where(_accounts.c.id == old.account_id)
            ).one()
            if account.status == "closed":
                raise AccountNotOpen("The card's account is closed; issue a new card instead.")
            if status in USABLE:
                set_card_status(tx, old.id, CardStatus.REPLACED)
            return self._insert_card(
                tx,
                caller,
                key,
                CardKind(old.kind),
                old.owner_id,
                old.account_id,
                old.cardholder_name,
                old.id,
            )

        return self._ctx.write_as(actor, work)

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

    def _debit_account(self, tx: Tx, actor: Caller, account_id: int) -> Any:
        account = accessible_account(tx, actor, account_id)
        if account.kind != AccountKind.CHECKING:
            raise ValidationFailed("A debit card is linked to a checking account.", field="account")
        if account.status != "open":
            raise AccountNotOpen(
                f"The account is {account.status}; choose an open one.", field="account"
            )
        return account

    def _open_credit_account(self, tx: Tx, owner: int, credit_limit: int) -> int:
        return insert_account(
            tx,
            number=self._account_number,
            owner_id=owner,
            kind=AccountKind.CREDIT_CARD,
            name="Credit card",
            currency=self._ctx.settings.currency,
            credit_limit=credit_limit,
        )

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
        actor: Caller,
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
        view = card_view(tx, card_id)
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
