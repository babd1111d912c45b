"""Card status: freeze and unfreeze, report lost or stolen, cancel (closing a paid-off
credit card's account)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from bankapp.domain.card_numbers import (
    mask_pan,
)
from bankapp.domain.card_types import CardKind, CardStatus, CardView
from bankapp.domain.types import Actor, Caller
from bankapp.domain.validation import clean_text
from bankapp.errors import (
    CardStatusConflict,
    PermissionDenied,
)
from bankapp.services import audit
from bankapp.services.cards.card_rows import (
    USABLE,
    card_for,
    card_view,
    set_card_status,
)
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import Account, Card

_cards = Card
_accounts = Account


class CardStatusChanges:
    """Freeze, unfreeze, block and cancel cards."""

    _ctx: ServiceContext

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

        def work(tx: Tx, caller: Caller) -> CardView:
            card = card_for(tx, caller, card_id, lock=True)
            current = CardStatus(card.status)
            if current not in allowed:
                raise CardStatusConflict(self._conflict_message(current, status))
            if status == CardStatus.ACTIVE and not caller.is_staff and card.frozen_by_bank:
                raise PermissionDenied("The bank froze this card; ask a teller to unfreeze it.")
            if status == CardStatus.CANCELLED and card.kind == CardKind.CREDIT:
                self._close_credit_account(tx, card)
            # A block the bank sets is marked, so that nothing the customer does lifts it;
            # staff unfreezing clears the mark; a customer's own change leaves it as it is.
            by_bank = (status != CardStatus.ACTIVE) if caller.is_staff else None
            set_card_status(tx, card.id, status, by_bank=by_bank)
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
                caller,
                f"card.{verb}",
                f"card {card.id}",
                {"card": mask_pan(card.last4), "from": current.value, "reason": reason},
            )
            return card_view(tx, card.id)

        return self._ctx.write_as(actor, work)

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
        if account.held:
            raise CardStatusConflict(
                f"{self._ctx.money(account.held)} of purchases is still waiting to settle on "
                "this card; cancel it once they have."
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
