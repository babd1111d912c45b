"""Card purchases: recognise the presented number, expiry and CVV, check the card, post
against its account; a refusal charges nothing, is audited, and counts wrong CVVs."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from bankapp.domain.card_numbers import (
    derive_cvv,
    is_expired,
    luhn_valid,
    mask_pan,
    normalise_pan,
    pan_hash,
    parse_expiry,
)
from bankapp.domain.card_types import CardKind, CardStatus
from bankapp.domain.types import Actor, Caller, EntryResult, Role
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    AccountNotOpen,
    CardBlocked,
    CardDeclined,
    CardDetailsInvalid,
    CardExpired,
    CardFrozen,
    CardInsufficientFunds,
    CardSecurityCodeWrong,
    CreditLimitExceeded,
    InsufficientFunds,
)
from bankapp.services import audit
from bankapp.services.access import shown_result
from bankapp.services.cards.card_rows import (
    MAX_CVV_FAILURES,
    MERCHANT_MAX,
    MERCHANT_SETTLEMENT,
    link_entry_to_card,
    set_card_status,
)
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import (
    Leg,
    caller_key,
    find_replay,
    internal_account,
    post_entry,
    request_fingerprint,
)
from bankapp.storage.database import Tx
from bankapp.storage.models import Card, table_of

_cards = table_of(Card)


class CardPurchases:
    """Authorise and post card purchases."""

    _ctx: ServiceContext
    _key_source: Callable[[], bytes]

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
        self._ctx.check_amount(amount)
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

        def work(tx: Tx, caller: Caller) -> EntryResult:
            scoped = caller_key(caller, idempotency_key)
            replay = find_replay(tx, scoped, fingerprint)
            if replay:
                return shown_result(tx, caller, replay)
            card = self._presented_card(tx, caller, number_hash)
            found.update(id=card.id, last4=card.last4)
            if (card.expiry_year, card.expiry_month) != presented_expiry:
                raise CardDetailsInvalid("The expiry date does not match the card.", field="expiry")
            expected = derive_cvv(key, digits, card.expiry_year, card.expiry_month)
            if not hmac.compare_digest(expected, cvv.strip()):
                raise CardSecurityCodeWrong("The CVV is wrong.", field="cvv")
            self._check_usable(tx, card)
            result = self._post_purchase(tx, caller, card, merchant, amount, scoped, fingerprint)
            return shown_result(tx, caller, result)

        try:
            return self._ctx.write_as(actor, work)
        except CardDeclined as declined:
            if self._record_decline(actor, declined, found, merchant, amount):
                raise CardFrozen(
                    f"The CVV is wrong. After {MAX_CVV_FAILURES} wrong CVVs in a row the card "
                    "is frozen; ask the bank to unfreeze it.",
                    field="cvv",
                ) from None
            raise

    def _presented_card(self, tx: Tx, actor: Caller, number_hash: str) -> Any:
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
        actor: Caller,
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
        link_entry_to_card(tx, result.entry_id, card.id)
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

        def work(tx: Tx, caller: Caller) -> bool:
            audit.record(tx, caller, "card.purchase_declined", subject, details)
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
            set_card_status(tx, found["id"], CardStatus.FROZEN)
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

        return self._ctx.write_as(actor, work)
