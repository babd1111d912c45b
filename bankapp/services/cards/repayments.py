"""Paying a credit card: money from another of the holder's accounts to the card's account."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.card_numbers import (
    mask_pan,
)
from bankapp.domain.card_types import CardKind
from bankapp.domain.types import AccountKind, Actor, Caller, EntryResult, MovementPreview
from bankapp.errors import (
    InvalidAmount,
    ValidationFailed,
)
from bankapp.services.access import accessible_account, load_account, shown_result
from bankapp.services.cards.card_rows import (
    card_for,
)
from bankapp.services.context import ServiceContext
from bankapp.services.ledger import (
    AuditNote,
    Leg,
    caller_key,
    find_replay,
    post_entry,
    request_fingerprint,
)
from bankapp.services.previews import party
from bankapp.storage.database import Tx
from bankapp.storage.models import Account

_accounts = Account


class CardRepayments:
    """Pay what is owed on a credit card."""

    _ctx: ServiceContext

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
        work = self._payment(actor, card_id, from_account_id, amount, idempotency_key)
        return self._ctx.write_as(actor, work)

    def preview_pay(
        self, actor: Actor, card_id: int, from_account_id: int, amount: int
    ) -> MovementPreview:
        """What `pay` would do now, by the same checks, with nothing moved: the account paid
        from and the card's account, each with its balance after, for a confirmation."""
        work = self._payment(actor, card_id, from_account_id, amount, None)

        def described(tx: Tx, caller: Caller) -> MovementPreview:
            balances = work(tx, caller).balances
            source = accessible_account(tx, caller, from_account_id)
            credit = load_account(tx, card_for(tx, caller, card_id).account_id)
            return MovementPreview(
                kind="card_payment",
                amount=amount,
                memo="",
                source=party(tx, caller, source, balances),
                target=party(tx, caller, credit, balances),
                drawer_cash_after=None,
            )

        return self._ctx.preview_as(actor, described)

    def _payment(
        self,
        actor: Actor,
        card_id: int,
        from_account_id: int,
        amount: int,
        idempotency_key: str | None,
    ) -> Callable[[Tx, Caller], EntryResult]:
        """The one unit of work of a card payment: `pay` commits it, `preview_pay` rolls it
        back."""
        self._ctx.check_amount(amount)
        fingerprint = request_fingerprint(
            {
                "op": "card_payment",
                "actor": actor.user_id,
                "card": card_id,
                "from": from_account_id,
                "amount": amount,
            }
        )

        def work(tx: Tx, caller: Caller) -> EntryResult:
            key = caller_key(caller, idempotency_key)
            replay = find_replay(tx, key, fingerprint)
            if replay:
                return shown_result(tx, caller, replay)
            card = card_for(tx, caller, card_id)
            if card.kind != CardKind.CREDIT:
                raise ValidationFailed(
                    "Only a credit card is paid; a debit card spends its account directly."
                )
            source = accessible_account(tx, caller, from_account_id)
            credit = tx.conn.execute(
                select(_accounts).where(_accounts.c.id == card.account_id)
            ).one()
            if (
                source.id == credit.id
                or source.owner_id != card.owner_id
                or source.kind in (AccountKind.INTERNAL, AccountKind.CREDIT_CARD)
            ):
                raise ValidationFailed(
                    "Pay the card from one of the cardholder's checking, savings or business "
                    "accounts.",
                    field="account",
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
                actor=caller,
                legs=[Leg(source.id, -amount), Leg(credit.id, amount)],
                audit_note=AuditNote(
                    "money.card_payment",
                    {
                        "card": mask_pan(card.last4),
                        "card_id": card.id,
                        "from": mask_account_number(source.number),
                    },
                ),
                idempotency_key=key,
                fingerprint=fingerprint,
                currency=self._ctx.settings.currency,
                card_id=card.id,
            )
            return shown_result(tx, caller, result)

        return work
