"""A teller closing a customer's account asks the bank first: a funded account is refused
with its reason and nothing is filed; an empty account with history asks before a request
for a supervisor is filed."""

from __future__ import annotations

from bankapp.bank import Bank
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from tests.ui.helpers import SIZE, open_alice, pilot_test, play, settle


def _requests(bank: Bank) -> int:
    from sqlalchemy import func, select

    from bankapp.storage.models import PendingApproval

    items = PendingApproval
    query = select(func.count()).select_from(items)
    return int(bank.db.read(lambda tx: tx.conn.execute(query).scalar_one()))


@pilot_test
async def test_x_on_a_funded_account_says_why_and_files_nothing(demo_bank: Bank) -> None:
    before = _requests(demo_bank)
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, open_alice, "x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)  # refused before any confirmation
        notes = " ".join(str(n.message) for n in app._notifications)
        shown = " ".join(str(w.render()) for w in app.screen.query(".field-error"))
        assert "move it to another account" in notes + shown, notes + shown
    assert _requests(demo_bank) == before
