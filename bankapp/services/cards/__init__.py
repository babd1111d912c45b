"""`CardService`: cards for customers (staff may act on any customer's cards), one job per
module: `issuing.py`, `status.py`, `authorisation.py` (purchases), `repayments.py`
(paying a credit card), `queries.py`; `card_rows.py` holds what they share.

The full card number and CVV exist only inside issuing (returned once) and a purchase
(presented by the caller); the database keeps the last four digits and a keyed hash of the
number, and the CVV is derived from number and expiry with the installation key.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable

from bankapp.services.cards.authorisation import CardPurchases
from bankapp.services.cards.issuing import CardIssuing
from bankapp.services.cards.queries import CardQueries
from bankapp.services.cards.repayments import CardRepayments
from bankapp.services.cards.status import CardStatusChanges
from bankapp.services.context import ServiceContext


class CardService(CardIssuing, CardStatusChanges, CardPurchases, CardRepayments, CardQueries):
    def __init__(
        self,
        ctx: ServiceContext,
        key_source: Callable[[], bytes],
        rng: random.Random | None = None,
        all_keys: Callable[[], tuple[bytes, ...]] | None = None,
    ) -> None:
        self._ctx = ctx
        self._key_source = key_source
        self._all_keys = all_keys or (lambda: (key_source(),))
        # Card numbers come from the OS's CSPRNG; tests and the demo may inject a seeded one.
        self.rng: random.Random = rng or secrets.SystemRandom()
