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
    ApprovalState,
    CardStatusConflict,
    PermissionDenied,
    ValidationFailed,
)
from bankapp.services import audit
from bankapp.services.access import (
    accessible_account,
    customer_for,
    owner_name,
    require_active_customer,
)
from bankapp.services.account_rows import insert_account
from bankapp.services.approvals.items import CREDIT_CARD, ApprovalView, file_request, item_view
from bankapp.services.cards.applications import (
    applications_of,
    check_credit_limit,
    consume_application,
    pending_application,
)
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
from bankapp.storage.models import Account, Card

_cards = Card
_accounts = Account


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

    def apply_for_credit(
        self,
        actor: Actor,
        requested_limit: int,
        *,
        owner_id: int | None = None,
        idempotency_key: str | None = None,
    ) -> ApprovalView:
        """Apply for a credit card with a requested limit (a customer for themselves, staff for
        a customer). Staff other than the applicant decide it: approve with the limit they
        choose, within bounds (over the teller's limit, an admin), or decline with a reason.
        The card is issued only from an approved application (`issue_credit`)."""
        check_credit_limit(self._ctx, requested_limit)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            owner = customer_for(tx, caller, owner_id, holding="cards", new=True)
            self._check_card_count(tx, owner)
            if pending_application(tx, owner) is not None:
                raise ApprovalState(
                    "A credit card application for this customer is already waiting for a decision."
                )
            return file_request(
                tx,
                caller,
                CREDIT_CARD,
                amount=requested_limit,
                target_user_id=owner,
                idempotency_key=idempotency_key,
            )

        return self._ctx.write_as(actor, work)

    def credit_applications(
        self, actor: Actor, *, owner_id: int | None = None
    ) -> list[ApprovalView]:
        """A customer's credit card applications, newest first, with their decisions."""

        def work(tx: Tx, caller: Caller) -> list[ApprovalView]:
            owner = customer_for(tx, caller, owner_id, holding="cards")
            return [item_view(tx, item_id) for item_id in applications_of(tx, owner)]

        return self._ctx.read_as(actor, work)

    def issue_credit(
        self, actor: Actor, application_id: int, *, cardholder_name: str = ""
    ) -> IssuedCard:
        """The credit card of an approved application, with the limit the approver decided;
        each application gives one card (by the applicant, or staff at the counter)."""
        return self.issue(
            actor,
            CardKind.CREDIT,
            application_id=application_id,
            cardholder_name=cardholder_name,
        )

    def issue(
        self,
        actor: Actor,
        kind: CardKind | str,
        *,
        account_id: int | None = None,
        application_id: int | None = None,
        cardholder_name: str = "",
    ) -> IssuedCard:
        """Issue a card; the result carries the full number and CVV, shown once. A debit card
        is instant on the holder's checking account; a credit card needs an approved
        application (`apply_for_credit`)."""
        try:
            kind = CardKind(kind)
        except ValueError:
            raise ValidationFailed("Choose a debit or a credit card.", field="kind") from None
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
                self._check_card_count(tx, owner)
            else:
                if application_id is None:
                    raise ApprovalState(
                        "A credit card is issued from an approved application; apply first."
                    )
                owner, limit = consume_application(tx, caller, application_id)
                self._check_card_count(tx, owner)
                linked = self._open_credit_account(tx, owner, limit)
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
            if old.frozen_by_bank and not caller.is_staff:
                raise PermissionDenied(
                    "The bank blocked this card; a teller must replace it for you."
                )
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

    def _debit_account(self, tx: Tx, actor: Caller, account_id: int) -> Any:
        account = accessible_account(tx, actor, account_id)
        if account.owner_id is not None:
            require_active_customer(tx, account.owner_id)
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
