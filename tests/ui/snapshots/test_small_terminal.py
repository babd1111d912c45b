"""Every screen and modal at 80x24, the smallest terminal bankapp supports, where the other
snapshot modules show it only at 120x34: the same journeys, on the smaller terminal."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from bankapp.bank import Bank
from screens.modals.card_purchase import CardPurchaseModal
from tests.ui.helpers import (
    TAB,
    Do,
    Expect,
    Keys,
    SignIn,
    SignInStaff,
    Snap,
    Type,
    new_credit_card,
    open_alice,
    open_cards,
    purchase_form,
    snap,
    steps,
)
from tests.ui.snapshots.test_approvals import handing_over_a_reset
from tests.ui.snapshots.test_profile import WRONG_CURRENT_PASSWORD

SMALL = (80, 24)


def _another_account(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#destination").value = "other"


def _apply_for_credit(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#kind").value = "apply"


JOURNEYS = {
    # the customer's screens
    "account_history": steps(SignIn("alice"), "enter"),
    "deposit_form": steps(SignIn("alice"), "d", Type("100")),
    "transfer_to_another_number": steps(
        SignIn("alice"), "t", Do(_another_account), Type("1234 5678 9012"), TAB, Type("5")
    ),
    "transfer_confirmation": steps(
        SignIn("alice"), "t", Type("250"), TAB, Type("Holiday fund"), "ctrl+s"
    ),
    "transfer_result": steps(SignIn("alice"), "t", Type("250"), "ctrl+s", "enter"),
    "open_account": steps(SignIn("alice"), "o"),
    "change_password_refused": WRONG_CURRENT_PASSWORD,
    "credit_card_application": steps(open_cards, "n", Do(_apply_for_credit), "tab", Type("2000")),
    # the staff's screens
    "second_factor_refused": steps(SignIn("teller"), Keys(*"000000", "enter")),
    "customer_search": steps(SignInStaff("teller"), Keys("f", settle=False), Type("ar"), "enter"),
    "customer_overview": open_alice,
    "new_customer": steps(SignInStaff("teller"), "f", "f2", Type("dora")),
    "drawer": steps(SignInStaff("teller"), "d"),
    "transfer_on_behalf_own_accounts": steps(open_alice, "t", "enter"),
    "approvals_queue": steps(SignInStaff("admin"), "a"),
    "rejection_reason": steps(SignInStaff("admin"), "a", "r", Type("No proof of sale")),
    "new_staff_user": steps(SignInStaff("admin"), "s", "n"),
    "installation_settings": steps(SignInStaff("admin"), "i"),
}


@pytest.mark.usefixtures("fixed_secrets", "fixed_card_key")
@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_at_80x24(snap_compare: Snap, demo_bank: Bank, journey: str) -> None:
    assert snap(snap_compare, demo_bank, JOURNEYS[journey], size=SMALL)


@pytest.mark.usefixtures("fixed_card_key")
def test_a_declined_purchase_at_80x24(snap_compare: Snap, demo_bank: Bank) -> None:
    card = new_credit_card(demo_bank)
    wrong_cvv = f"{(int(card.cvv) + 1) % 1000:03d}"
    script = steps(open_cards, purchase_form(card, wrong_cvv), "ctrl+s", Expect(CardPurchaseModal))
    assert snap(snap_compare, demo_bank, script, size=SMALL)


def test_a_password_handed_over_at_80x24(
    snap_compare: Snap, demo_bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert snap(snap_compare, demo_bank, handing_over_a_reset(demo_bank, monkeypatch), size=SMALL)
