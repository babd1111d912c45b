"""Card purchases, two-phase: a purchase presented with number, expiry and CVV is checked
(the card's status and expiry first, then the details, wrong ones counted) and *authorised*:
its amount is held on the card's account (`holds.place_hold`, checked against the available
balance in the statement that reserves it). The authorisation settles (`settle_authorisation`:
one journal entry to merchant settlement) when captured or at close of business, or expires.
A refusal charges nothing, is audited, and a third wrong CVV or expiry in a row freezes the
card (a bank freeze)."""

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
from bankapp.domain.card_types import CardAuthorisation, CardKind, CardStatus
from bankapp.domain.types import Actor, Caller, Role
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    AccountNotOpen,
    ApprovalState,
    CardBlocked,
    CardDeclined,
    CardDetailsInvalid,
    CardExpired,
    CardExpiryWrong,
    CardFrozen,
    CardInsufficientFunds,
    CardSecurityCodeWrong,
    CreditLimitExceeded,
    IdempotencyConflict,
    InsufficientFunds,
    NotFound,
)
from bankapp.services import audit
from bankapp.services.access import require_staff
from bankapp.services.cards.card_rows import (
    MAX_CVV_FAILURES,
    MERCHANT_MAX,
    MERCHANT_SETTLEMENT,
    card_for,
    set_card_status,
)
from bankapp.services.context import ServiceContext
from bankapp.services.holds import load_hold, place_hold, resolve_hold
from bankapp.services.ledger import (
    AuditNote,
    Leg,
    caller_key,
    internal_account,
    post_entry,
    request_fingerprint,
)
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Card, Hold

_cards = Card
_holds = Hold
_accounts = Account
COUNTED_DECLINES = (CardSecurityCodeWrong, CardExpiryWrong)


def authorisation_view(tx: Tx, hold_id: int, *, replayed: bool = False) -> CardAuthorisation:
    row = tx.conn.execute(
        select(
            _holds, _cards.c.last4, _accounts.c.balance, _accounts.c.held, _accounts.c.credit_limit
        )
        .join(_cards, _cards.c.id == _holds.c.card_id)
        .join(_accounts, _accounts.c.id == _holds.c.account_id)
        .where(_holds.c.id == hold_id)
    ).one()
    return CardAuthorisation(
        hold_id=row.id,
        card_id=row.card_id,
        last4=row.last4,
        merchant=row.merchant,
        amount=row.amount,
        status=row.status,
        authorised_at=row.created_at,
        expires_at=row.release_at,
        available_after=row.balance - row.held + row.credit_limit,
        entry_id=row.entry_id if row.status == "captured" else None,
        replayed=replayed,
    )


def settle_authorisation(tx: Tx, ctx: ServiceContext, hold: Any, by: Caller | None) -> int | None:
    """Post a held card authorisation to merchant settlement, once: the hold ends as captured
    in the same transaction (a conditional update, so two settlements post one entry), and the
    amount it reserved pays for the posting. None if it was no longer held."""
    if hold.kind != "card" or resolve_hold(tx, hold.id, "captured", by=by) is None:
        return None
    card = tx.conn.execute(select(_cards).where(_cards.c.id == hold.card_id)).one()
    currency = ctx.settings.currency
    settlement = internal_account(tx, MERCHANT_SETTLEMENT, "Merchant settlement", currency)
    # The amount was reserved, so the posting cannot fail on funds. A frozen account moves no
    # money: `clearing` leaves such authorisations held until it opens again or they expire.
    result = post_entry(
        tx,
        kind="card_purchase",
        memo=f"{hold.merchant} · card •••• {card.last4}",
        actor=by,
        legs=[Leg(hold.account_id, -hold.amount), Leg(settlement, hold.amount)],
        audit_note=AuditNote(
            "money.card_purchase",
            {
                "card": mask_pan(card.last4),
                "card_id": card.id,
                "merchant": hold.merchant,
                "authorisation": hold.id,
            },
            actor_name=None if by else "system",
        ),
        currency=currency,
        card_id=card.id,
    )
    tx.conn.execute(update(_holds).where(_holds.c.id == hold.id).values(entry_id=result.entry_id))
    return result.entry_id


class CardPurchases:
    """Authorise card purchases; staff capture (settle) an authorisation early."""

    _ctx: ServiceContext
    _key_source: Callable[[], bytes]
    _all_keys: Callable[[], tuple[bytes, ...]]

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
    ) -> CardAuthorisation:
        """Authorise a purchase presented with number, expiry and CVV: the amount is held on
        the card's account (a debit card's available balance, a credit card's available
        credit) until it settles. Any refusal raises a CardDeclined subclass, holds nothing
        and is audited."""
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
        # Cards issued before a key rotation are recognised under the key they were made with.
        hashes = {pan_hash(k, digits): k for k in self._all_keys()}
        number_hash = next(iter(hashes))
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

        def work(tx: Tx, caller: Caller) -> CardAuthorisation:
            scoped = caller_key(caller, idempotency_key)
            replay = _replayed(tx, scoped, fingerprint)
            if replay is not None:
                return authorisation_view(tx, replay, replayed=True)
            card = self._presented_card(tx, caller, list(hashes))
            key = hashes[card.pan_hash]
            found.update(id=card.id, last4=card.last4)
            # Status and expiry first: a blocked card tells a thief nothing about its CVV.
            self._check_usable(tx, card)
            if (card.expiry_year, card.expiry_month) != presented_expiry:
                raise CardExpiryWrong("The expiry date does not match the card.", field="expiry")
            expected = derive_cvv(key, digits, card.expiry_year, card.expiry_month)
            if not hmac.compare_digest(expected, cvv.strip()):
                raise CardSecurityCodeWrong("The CVV is wrong.", field="cvv")
            hold_id = self._authorise(tx, caller, card, merchant, amount, scoped, fingerprint)
            return authorisation_view(tx, hold_id)

        try:
            return self._ctx.write_as(actor, work)
        except CardDeclined as declined:
            if self._record_decline(actor, declined, found, merchant, amount):
                raise CardFrozen(
                    f"{declined.message} After {MAX_CVV_FAILURES} wrong CVVs or expiry dates in "
                    "a row the card is frozen; ask the bank to unfreeze it.",
                    field=declined.field,
                ) from None
            raise

    def authorisations(self, actor: Actor, card_id: int) -> list[CardAuthorisation]:
        """The card's authorisations still waiting to settle, newest first."""

        def work(tx: Tx, caller: Caller) -> list[CardAuthorisation]:
            card = card_for(tx, caller, card_id)
            ids = tx.conn.execute(
                select(_holds.c.id)
                .where(_holds.c.card_id == card.id, _holds.c.status == "held")
                .order_by(_holds.c.id.desc())
                .limit(100)
            ).scalars()
            return [authorisation_view(tx, int(i)) for i in ids]

        return self._ctx.read_as(actor, work)

    def capture(self, actor: Actor, hold_id: int) -> CardAuthorisation:
        """Staff settle an authorisation now (as the merchant's capture would)."""

        def work(tx: Tx, caller: Caller) -> CardAuthorisation:
            require_staff(caller)
            hold = load_hold(tx, hold_id)
            if hold.kind != "card":
                raise NotFound("No such card authorisation.")
            account = tx.conn.execute(
                select(_accounts.c.status).where(_accounts.c.id == hold.account_id)
            ).scalar_one()
            if account != "open":
                raise AccountNotOpen(f"The card's account is {account}; nothing can settle.")
            if settle_authorisation(tx, self._ctx, hold, caller) is None:
                raise ApprovalState(f"This authorisation was already {hold.status}.")
            return authorisation_view(tx, hold.id)

        return self._ctx.write_as(actor, work)

    def _presented_card(self, tx: Tx, actor: Caller, number_hashes: list[str]) -> Any:
        row = tx.conn.execute(
            select(_cards).where(_cards.c.pan_hash.in_(number_hashes))
        ).one_or_none()
        # A customer's simulated purchases may only use their own cards.
        if row is None or (actor.role == Role.CUSTOMER and row.owner_id != actor.user_id):
            raise CardDetailsInvalid("The card is not recognised.", field="pan")
        return row

    def _check_usable(self, tx: Tx, card: Any) -> None:
        status = CardStatus(card.status)
        if status == CardStatus.FROZEN:
            if card.frozen_by_bank:
                raise CardFrozen("The bank froze this card; ask a teller to unfreeze it.")
            raise CardFrozen("The card is frozen; unfreeze it to use it.")
        if status.is_blocked:
            raise CardBlocked(f"The card was {status.value}; it can no longer be used.")
        if is_expired(card.expiry_year, card.expiry_month, tx.now):
            raise CardExpired("The card has expired.")

    def _authorise(
        self,
        tx: Tx,
        actor: Caller,
        card: Any,
        merchant: str,
        amount: int,
        idempotency_key: str | None,
        fingerprint: str,
    ) -> int:
        settings = self._ctx.settings
        account = tx.conn.execute(select(_accounts).where(_accounts.c.id == card.account_id)).one()
        try:
            hold_id = place_hold(
                tx,
                account,
                amount,
                "card",
                by=actor,
                reason=f"Card •••• {card.last4} at {merchant}",
                release_at=tx.now + settings.authorisation_lifetime,
                reserve=True,
                currency=settings.currency,
                card_id=card.id,
                merchant=merchant,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
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
        if card.cvv_failures:
            tx.conn.execute(update(_cards).where(_cards.c.id == card.id).values(cvv_failures=0))
        audit.record(
            tx,
            actor,
            "card.authorise",
            f"hold {hold_id}",
            {
                "card": mask_pan(card.last4),
                "card_id": card.id,
                "merchant": merchant,
                "amount": amount,
            },
        )
        return hold_id

    def _record_decline(
        self,
        actor: Actor,
        declined: CardDeclined,
        found: dict[str, Any],
        merchant: str,
        amount: int,
    ) -> bool:
        """Audit a refused purchase in its own transaction (the refused one rolled back) and
        count a wrong CVV or expiry date; True if this one froze the card (a bank freeze)."""
        subject = f"card {found['id']}" if found else "unrecognised card"
        details: dict[str, Any] = {"reason": declined.code, "merchant": merchant, "amount": amount}
        if found:
            details["card"] = mask_pan(found["last4"])
        counted = isinstance(declined, COUNTED_DECLINES) and bool(found)

        def work(tx: Tx, caller: Caller) -> bool:
            audit.record(tx, caller, "card.purchase_declined", subject, details)
            if not counted:
                return False
            failures = tx.conn.execute(
                update(_cards)
                .where(_cards.c.id == found["id"])
                .values(cvv_failures=_cards.c.cvv_failures + 1)
                .returning(_cards.c.cvv_failures, _cards.c.status)
            ).one()
            if failures.cvv_failures < MAX_CVV_FAILURES or failures.status != "active":
                return False
            set_card_status(tx, found["id"], CardStatus.FROZEN, by_bank=True)
            audit.record(
                tx,
                None,
                "card.freeze",
                subject,
                {
                    "card": details["card"],
                    "from": "active",
                    "reason": f"{MAX_CVV_FAILURES} wrong CVVs or expiry dates in a row",
                },
                actor_name="system",
            )
            return True

        return self._ctx.write_as(actor, work)


def _replayed(tx: Tx, key: str | None, fingerprint: str) -> int | None:
    """The authorisation an earlier call with this key made, or None."""
    if not key:
        return None
    row = tx.conn.execute(
        select(_holds.c.id, _holds.c.request_hash).where(_holds.c.idempotency_key == key)
    ).one_or_none()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyConflict(
            "This request id was already used for a different operation; start a new form."
        )
    return int(row.id)
