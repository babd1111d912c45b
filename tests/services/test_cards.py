"""Card use cases: issue rules, credit limits, purchase authorisation, ownership, the books."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.domain.card_numbers import format_expiry, new_pan
from bankapp.domain.card_types import CardKind, CardStatus
from bankapp.domain.types import AccountKind, Role
from bankapp.errors import (
    ApprovalState,
    CardBlocked,
    CardDeclined,
    CardDetailsInvalid,
    CardExpired,
    CardExpiryWrong,
    CardFrozen,
    CardInsufficientFunds,
    CardNotFound,
    CardSecurityCodeWrong,
    CardStatusConflict,
    CreditLimitExceeded,
    InvalidAmount,
    InvalidCreditLimit,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tests.fixtures import (
    approved_application,
    audit_details,
    audit_kinds,
    buy,
    counter_staff,
    credit_card,
    entry_count,
    funded_account,
    make_customer,
    make_staff,
    settle,
)

pytestmark = pytest.mark.usefixtures("private_key_file")


# -- issuing ------------------------------------------------------------------------------


def test_a_customer_issues_a_debit_card_on_their_checking_account(bank: Bank) -> None:
    ann = make_customer(bank, "ann", "Ann Example")
    checking = funded_account(bank, ann, 10_000)
    issued = bank.cards.issue_debit(ann, checking)
    card = issued.card
    assert card.kind == CardKind.DEBIT and card.status == CardStatus.ACTIVE
    assert card.account_id == checking and card.owner_id == ann.user_id
    assert card.last4 == issued.pan[-4:] and card.masked.endswith(issued.pan[-4:])
    assert (card.expiry_year, card.expiry_month) == (2029, 11)
    assert card.cardholder_name == "Ann Example"
    assert card.available == 10_000 and card.credit_limit == 0
    assert len(issued.cvv) == 3
    assert bank.cards.list_cards(ann) == [card]
    assert "card.issue" in audit_kinds(bank)


def test_a_debit_card_needs_a_checking_account(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    savings = funded_account(bank, ann, 0, AccountKind.SAVINGS)
    with pytest.raises(ValidationFailed, match="checking"):
        bank.cards.issue_debit(ann, savings)


def test_a_credit_card_gets_its_own_account_with_the_decided_limit(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    application = bank.cards.apply_for_credit(ann, 300_000)
    assert application.status == "pending" and application.target_user_id == ann.user_id
    bank.approvals.approve(teller, application.id, credit_limit=200_000)  # less than asked
    issued = bank.cards.issue_credit(ann, application.id)
    card = issued.card
    account = bank.accounts.get(ann, card.account_id)
    assert account.kind == AccountKind.CREDIT_CARD and account.credit_limit == 200_000
    assert card.credit_limit == 200_000 and card.used == 0 and card.available == 200_000
    (shown,) = bank.cards.credit_applications(ann)
    assert (shown.status, shown.decided_amount, shown.consumed) == ("approved", 200_000, True)


@pytest.mark.parametrize("limit", [None, 0, 9_999, 5_000_001, -100])
def test_a_credit_card_limit_must_be_within_the_configured_bounds(
    bank: Bank, limit: int | None
) -> None:
    ann = make_customer(bank, "ann")
    with pytest.raises(InvalidCreditLimit) as caught:
        bank.cards.apply_for_credit(ann, limit)  # type: ignore[arg-type]
    assert caught.value.field == "credit_limit"
    assert bank.cards.credit_applications(ann) == []


@pytest.mark.parametrize("limit", [10_000, 5_000_000])
def test_the_limit_bounds_themselves_are_accepted(bank: Bank, limit: int) -> None:
    ann = make_customer(bank, "ann")
    assert credit_card(bank, ann, limit).card.credit_limit == limit


def test_a_credit_card_is_issued_only_from_an_approved_application(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    with pytest.raises(ApprovalState, match="approved application"):
        bank.cards.issue(ann, CardKind.CREDIT)
    pending = bank.cards.apply_for_credit(ann, 100_000)
    with pytest.raises(ApprovalState, match="pending"):
        bank.cards.issue_credit(ann, pending.id)
    with pytest.raises(ApprovalState, match="already waiting"):
        bank.cards.apply_for_credit(ann, 200_000)
    assert bank.cards.list_cards(ann) == []


def test_an_approved_application_gives_one_card_only_to_its_customer(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    bob = make_customer(bank, "bob")
    application = approved_application(bank, ann, 100_000)
    with pytest.raises(NotFound):
        bank.cards.issue_credit(bob, application)
    bank.cards.issue_credit(ann, application)
    with pytest.raises(ApprovalState, match="already issued"):
        bank.cards.issue_credit(ann, application)
    assert len(bank.cards.list_cards(ann)) == 1


def test_a_declined_application_gives_no_card_and_shows_the_reason(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    application = bank.cards.apply_for_credit(ann, 100_000)
    bank.approvals.reject(teller, application.id, "Income not verified")
    with pytest.raises(ApprovalState, match="rejected"):
        bank.cards.issue_credit(ann, application.id)
    (shown,) = bank.cards.credit_applications(ann)
    assert (shown.status, shown.reason) == ("rejected", "Income not verified")


def test_a_limit_over_the_tellers_authority_needs_an_admin(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    admin = make_staff(bank, "ada", Role.ADMIN)
    over = bank.settings.teller_credit_approval_max_cents + 100
    application = bank.cards.apply_for_credit(ann, over)
    with pytest.raises(PermissionDenied, match="supervisor"):
        bank.approvals.approve(teller, application.id)
    with pytest.raises(PermissionDenied, match="supervisor"):
        bank.approvals.approve(teller, application.id, credit_limit=over)
    assert bank.approvals.get(admin, application.id).status == "pending"
    bank.approvals.approve(admin, application.id)
    assert bank.cards.issue_credit(ann, application.id).card.credit_limit == over


def test_the_approver_decides_the_limit_within_the_bounds(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    admin = make_staff(bank, "ada", Role.ADMIN)
    application = bank.cards.apply_for_credit(ann, 100_000)
    with pytest.raises(InvalidCreditLimit):
        bank.approvals.approve(admin, application.id, credit_limit=6_000_000)
    with pytest.raises(ValidationFailed, match="Only a credit application"):
        other = bank.approvals.submit_account_closure(
            make_staff(bank, "tina", Role.TELLER), funded_account(bank, ann, 0)
        )
        bank.approvals.approve(admin, other.id, credit_limit=100_000)
    assert bank.approvals.get(admin, application.id).status == "pending"


def test_staff_apply_for_a_customer_and_another_staff_member_decides(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    application = bank.cards.apply_for_credit(teller, 50_000, owner_id=ann.user_id)
    with pytest.raises(ApprovalState, match="You made this request"):
        bank.approvals.approve(teller, application.id)
    with pytest.raises(PermissionDenied, match="choose a customer"):
        bank.cards.apply_for_credit(teller, 50_000)


def test_a_customer_cannot_decide_their_own_application(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    application = bank.cards.apply_for_credit(ann, 50_000)
    with pytest.raises(PermissionDenied):
        bank.approvals.approve(ann, application.id)
    assert bank.cards.credit_applications(ann)[0].status == "pending"


# -- purchases ----------------------------------------------------------------------------


def test_a_debit_purchase_is_held_at_once_and_posted_when_it_settles(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 10_000)
    card = bank.cards.issue_debit(ann, checking)
    assert buy(bank, ann, card, 2_550) == 7_450
    account = bank.accounts.get(ann, checking)
    assert (account.balance, account.held, account.available) == (10_000, 2_550, 7_450)
    (pending,) = bank.cards.authorisations(ann, card.card.id)
    assert (pending.amount, pending.status, pending.merchant) == (2_550, "held", "Corner Shop")
    assert bank.cards.transactions(ann, card.card.id) == []
    settle(bank)
    account = bank.accounts.get(ann, checking)
    assert (account.balance, account.held, account.available) == (7_450, 0, 7_450)
    (line,) = bank.cards.transactions(ann, card.card.id)
    assert line.amount == -2_550 and line.kind == "card_purchase"
    assert "Corner Shop" in line.description and card.pan not in line.description
    assert bank.cards.authorisations(ann, card.card.id) == []
    settle(bank)  # settling again posts nothing more
    assert bank.accounts.get(ann, checking).balance == 7_450
    assert bank.verify().ok


def test_a_debit_purchase_over_the_balance_is_declined(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 1_000)
    card = bank.cards.issue_debit(ann, checking)
    with pytest.raises(CardInsufficientFunds, match=r"available \$10\.00"):
        buy(bank, ann, card, 1_001)
    assert bank.accounts.get(ann, checking).balance == 1_000
    assert audit_kinds(bank)[-1] == "card.purchase_declined"


def test_a_credit_card_spends_down_to_its_limit_and_no_further(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    assert buy(bank, ann, card, 6_000) == 4_000
    assert buy(bank, ann, card, 4_000) == 0
    with pytest.raises(CreditLimitExceeded, match="credit limit"):
        buy(bank, ann, card, 1)  # the two authorisations together hold the whole limit
    view = bank.cards.get(ann, card.card.id)
    assert (view.used, view.held, view.available) == (0, 10_000, 0)
    settle(bank)
    view = bank.cards.get(ann, card.card.id)
    assert (view.used, view.held, view.available) == (10_000, 0, 0)


def test_a_wrong_cvv_is_declined_and_audited_without_the_cvv(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    wrong = f"{(int(card.cvv) + 1) % 1000:03d}"
    with pytest.raises(CardSecurityCodeWrong) as caught:
        buy(bank, ann, card, 100, cvv=wrong)
    assert card.cvv not in str(caught.value) and card.pan not in str(caught.value)
    assert bank.cards.get(ann, card.card.id).used == 0


def test_three_wrong_cvvs_in_a_row_freeze_the_card(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    wrong = f"{(int(card.cvv) + 1) % 1000:03d}"
    for _ in range(2):
        with pytest.raises(CardSecurityCodeWrong):
            buy(bank, ann, card, 100, cvv=wrong)
    assert buy(bank, ann, card, 100) == 9_900  # a good purchase resets the count
    for _ in range(2):
        with pytest.raises(CardSecurityCodeWrong):
            buy(bank, ann, card, 100, cvv=wrong)
    with pytest.raises(CardFrozen, match="3 wrong CVVs or expiry dates"):
        buy(bank, ann, card, 100, cvv=wrong)
    assert bank.cards.get(ann, card.card.id).status == CardStatus.FROZEN
    with pytest.raises(CardFrozen):
        buy(bank, ann, card, 100)  # even with the right CVV
    with pytest.raises(PermissionDenied, match="ask a teller"):
        bank.cards.unfreeze(ann, card.card.id)  # the bank froze it, not the holder
    with pytest.raises(PermissionDenied, match="a teller must replace it"):
        bank.cards.replace(ann, card.card.id)  # nor replace it with a fresh active card
    bank.cards.unfreeze(make_staff(bank, "tina", Role.TELLER), card.card.id)
    assert buy(bank, ann, card, 100) == 9_800
    assert "card.freeze" in audit_kinds(bank)


def test_wrong_expiry_dates_count_with_wrong_cvvs(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    wrong_cvv = f"{(int(card.cvv) + 1) % 1000:03d}"
    wrong_expiry = format_expiry(card.card.expiry_year + 1, card.card.expiry_month)
    with pytest.raises(CardExpiryWrong):
        buy(bank, ann, card, 100, expiry=wrong_expiry)
    with pytest.raises(CardSecurityCodeWrong):
        buy(bank, ann, card, 100, cvv=wrong_cvv)
    with pytest.raises(CardFrozen, match="expiry dates in a row"):
        buy(bank, ann, card, 100, expiry=wrong_expiry)
    view = bank.cards.get(ann, card.card.id)
    assert view.status == CardStatus.FROZEN and view.blocked_by_bank
    assert view.held == 0


def test_a_blocked_card_says_so_before_any_cvv_is_checked(bank: Bank) -> None:
    """A thief with a frozen or reported card learns nothing about its CVV, and the tries
    are not even counted: status and expiry are checked first."""
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    card = credit_card(bank, ann, 10_000)
    bank.cards.freeze(teller, card.card.id, "reported by phone")
    for guess in ("000", "111", "222", "333", card.cvv):
        with pytest.raises(CardFrozen):
            buy(bank, ann, card, 100, cvv=guess)
    bank.cards.report_lost(ann, card.card.id, stolen=True)
    for guess in ("444", card.cvv):
        with pytest.raises(CardBlocked):
            buy(bank, ann, card, 100, cvv=guess)
    assert "card_cvv_wrong" not in str(audit_details(bank, "card.purchase_declined"))


def test_a_card_the_bank_blocked_is_not_unblocked_by_the_customers_replace(bank: Bank) -> None:
    """The attack: a teller froze a card, and the customer's own *replace* issued a new active
    one. A bank block survives everything the customer can do; staff replace it."""
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    checking = funded_account(bank, ann, 5_000)
    card = bank.cards.issue_debit(ann, checking)
    bank.cards.freeze(teller, card.card.id, "suspected fraud")
    for attempt in (
        lambda: bank.cards.replace(ann, card.card.id),
        lambda: bank.cards.unfreeze(ann, card.card.id),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    bank.cards.report_lost(ann, card.card.id)  # the customer may block it further...
    with pytest.raises(PermissionDenied):
        bank.cards.replace(ann, card.card.id)  # ...but still not replace it
    assert [c.id for c in bank.cards.list_cards(ann)] == [card.card.id]
    new = bank.cards.replace(teller, card.card.id)
    assert new.card.status == CardStatus.ACTIVE and not new.card.blocked_by_bank


def test_a_card_the_teller_froze_stays_frozen_until_staff_unfreeze_it(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    card = credit_card(bank, ann, 10_000)
    bank.cards.freeze(teller, card.card.id, "suspected fraud")
    with pytest.raises(PermissionDenied):
        bank.cards.unfreeze(ann, card.card.id)
    assert bank.cards.unfreeze(teller, card.card.id).status == CardStatus.ACTIVE
    bank.cards.freeze(ann, card.card.id)  # the holder's own freeze: the holder lifts it
    assert bank.cards.unfreeze(ann, card.card.id).status == CardStatus.ACTIVE


def test_a_wrong_expiry_or_unknown_number_is_declined(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    with pytest.raises(CardDetailsInvalid):
        buy(bank, ann, card, 100, expiry=format_expiry(card.card.expiry_year + 1, 1))
    other = card.pan[:-2] + ("00" if card.pan[-2:] != "00" else "01")
    with pytest.raises(CardDetailsInvalid):
        buy(bank, ann, card, 100, pan=other)  # Luhn fails or unknown: declined either way


def test_a_frozen_card_is_declined_until_unfrozen(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    assert bank.cards.freeze(ann, card.card.id).status == CardStatus.FROZEN
    with pytest.raises(CardFrozen):
        buy(bank, ann, card, 100)
    bank.cards.unfreeze(ann, card.card.id)
    assert buy(bank, ann, card, 100) == 9_900


def test_an_expired_card_is_declined(bank: Bank, clock: FixedClock) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    clock.set(datetime(2029, 11, 30, 23, 0))
    assert buy(bank, ann, card, 100) == 9_900  # valid through the end of its expiry month
    clock.set(datetime(2029, 12, 1, 0, 0))
    with pytest.raises(CardExpired):
        buy(bank, ann, card, 100)


def test_a_lost_card_is_blocked_for_good_and_its_replacement_works(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 5_000)
    card = bank.cards.issue_debit(ann, checking)
    lost = bank.cards.report_lost(ann, card.card.id)
    assert lost.status == CardStatus.LOST
    with pytest.raises(CardBlocked):
        buy(bank, ann, card, 100)
    with pytest.raises(CardStatusConflict, match="blocked"):
        bank.cards.unfreeze(ann, card.card.id)
    new = bank.cards.replace(ann, card.card.id)
    assert new.pan != card.pan and new.card.replaces_id == card.card.id
    assert new.card.account_id == checking
    assert bank.cards.get(ann, card.card.id).replaced_by_id == new.card.id
    assert buy(bank, ann, new, 100) == 4_900  # available after the authorisation
    with pytest.raises(CardStatusConflict, match="already replaced"):
        bank.cards.replace(ann, card.card.id)


def test_a_stolen_credit_card_keeps_its_debt_on_the_replacement(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    buy(bank, ann, card, 3_000)
    settle(bank)
    bank.cards.report_lost(ann, card.card.id, stolen=True)
    new = bank.cards.replace(ann, card.card.id)
    assert new.card.used == 3_000 and new.card.available == 7_000


def test_purchases_with_the_same_request_id_charge_once(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    card = credit_card(bank, ann, 10_000)
    first = bank.cards.purchase(
        ann,
        pan=card.pan,
        expiry=card.card.expiry,
        cvv=card.cvv,
        merchant="Cafe",
        amount=450,
        idempotency_key="form-1",
    )
    again = bank.cards.purchase(
        ann,
        pan=card.pan,
        expiry=card.card.expiry,
        cvv=card.cvv,
        merchant="Cafe",
        amount=450,
        idempotency_key="form-1",
    )
    assert again.replayed and again.hold_id == first.hold_id
    assert bank.cards.get(ann, card.card.id).held == 450
    settle(bank)
    assert bank.cards.get(ann, card.card.id).used == 450


# -- paying a credit card and cancelling ----------------------------------------------------


def test_paying_a_credit_card_moves_money_from_checking(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 10_000)
    card = credit_card(bank, ann, 10_000)
    buy(bank, ann, card, 4_000)
    settle(bank)
    with pytest.raises(InvalidAmount, match=r"Only \$40\.00 is owed"):
        bank.cards.pay(ann, card.card.id, checking, 4_001)
    bank.cards.pay(ann, card.card.id, checking, 4_000)
    assert bank.cards.get(ann, card.card.id).used == 0
    assert bank.accounts.get(ann, checking).balance == 6_000
    kinds = [t.kind for t in bank.cards.transactions(ann, card.card.id)]
    assert kinds == ["card_payment", "card_purchase"]


def test_a_card_payment_is_previewed_by_the_same_checks_with_nothing_moved(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 10_000)
    card = credit_card(bank, ann, 10_000)
    buy(bank, ann, card, 4_000)
    settle(bank)
    entries = entry_count(bank)
    with pytest.raises(InvalidAmount, match=r"Only \$40\.00 is owed"):
        bank.cards.preview_pay(ann, card.card.id, checking, 4_001)
    preview = bank.cards.preview_pay(ann, card.card.id, checking, 1_500)
    assert (preview.kind, preview.amount) == ("card_payment", 1_500)
    assert preview.source.account_id == checking and preview.source.balance_after == 8_500
    assert preview.target is not None and preview.target.balance_after == -2_500
    assert entry_count(bank) == entries  # nothing posted, nothing audited
    assert bank.cards.get(ann, card.card.id).used == 4_000
    assert bank.accounts.get(ann, checking).balance == 10_000


def test_a_credit_card_with_money_owed_cannot_be_cancelled(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 10_000)
    card = credit_card(bank, ann, 10_000)
    buy(bank, ann, card, 1_000)
    with pytest.raises(CardStatusConflict, match="waiting to settle"):
        bank.cards.cancel(ann, card.card.id)
    settle(bank)
    with pytest.raises(CardStatusConflict, match="owed"):
        bank.cards.cancel(ann, card.card.id)
    bank.cards.pay(ann, card.card.id, checking, 1_000)
    assert bank.cards.cancel(ann, card.card.id).status == CardStatus.CANCELLED
    assert bank.accounts.get(ann, card.card.account_id).status == "closed"
    with pytest.raises(CardBlocked):
        buy(bank, ann, card, 100)


# -- ownership ------------------------------------------------------------------------------


def test_a_customer_cannot_see_or_touch_another_customers_card(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    bob = make_customer(bank, "bob")
    ann_checking = funded_account(bank, ann, 5_000)
    bob_checking = funded_account(bank, bob, 5_000)
    card = bank.cards.issue_debit(ann, ann_checking)
    for attempt in (
        lambda: bank.cards.get(bob, card.card.id),
        lambda: bank.cards.freeze(bob, card.card.id),
        lambda: bank.cards.report_lost(bob, card.card.id),
        lambda: bank.cards.cancel(bob, card.card.id),
        lambda: bank.cards.replace(bob, card.card.id),
        lambda: bank.cards.transactions(bob, card.card.id),
    ):
        with pytest.raises(CardNotFound):
            attempt()
    with pytest.raises(CardDetailsInvalid, match="not recognised"):
        buy(bank, bob, card, 100)
    with pytest.raises(PermissionDenied):
        bank.cards.list_cards(bob, owner_id=ann.user_id)
    with pytest.raises(Exception, match="No such account"):
        bank.cards.issue_debit(bob, ann_checking)
    assert bank.accounts.get(ann, ann_checking).balance == 5_000
    assert bank.accounts.get(bob, bob_checking).balance == 5_000


def test_a_teller_issues_and_freezes_cards_for_any_customer(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    checking = funded_account(bank, ann, 5_000)
    debit = bank.cards.issue_debit(teller, checking)
    credit = credit_card(bank, teller, 50_000, owner_id=ann.user_id)
    assert debit.card.owner_id == credit.card.owner_id == ann.user_id
    assert bank.cards.freeze(teller, debit.card.id).status == CardStatus.FROZEN
    assert {c.id for c in bank.cards.list_cards(teller, owner_id=ann.user_id)} == {
        debit.card.id,
        credit.card.id,
    }


def test_nothing_new_for_a_disabled_customer(bank: Bank) -> None:
    """The attack: staff opened accounts and issued credit for a disabled customer."""
    ann = make_customer(bank, "ann")
    teller = make_staff(bank, "tina", Role.TELLER)
    checking = funded_account(bank, ann, 5_000)
    application = approved_application(bank, teller, 50_000, owner_id=ann.user_id)
    _, supervisor = counter_staff(bank)
    bank.staff.disable(supervisor, ann.user_id)
    for attempt in (
        lambda: bank.accounts.open(teller, AccountKind.SAVINGS, owner_id=ann.user_id),
        lambda: bank.cards.issue_debit(teller, checking),
        lambda: bank.cards.apply_for_credit(teller, 50_000, owner_id=ann.user_id),
        lambda: bank.cards.issue_credit(teller, application),
    ):
        with pytest.raises(PermissionDenied, match="disabled"):
            attempt()
    assert bank.cards.list_cards(teller, owner_id=ann.user_id) == []
    assert len(bank.accounts.list_accounts(teller, owner_id=ann.user_id)) == 1


def test_a_seeded_random_source_makes_numbers_repeatable_and_collisions_redraw(
    bank: Bank,
) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 0)
    expected = random.Random(99)
    first, second = new_pan(CardKind.DEBIT, expected), new_pan(CardKind.DEBIT, expected)
    bank.cards.rng = random.Random(99)
    assert bank.cards.issue_debit(ann, checking).pan == first
    bank.cards.rng = random.Random(99)  # the next draw collides with the first card's number
    assert bank.cards.issue_debit(ann, checking).pan == second


# -- the books ----------------------------------------------------------------------------


def test_the_ledger_and_audit_verify_after_card_activity(bank: Bank) -> None:
    ann = make_customer(bank, "ann")
    checking = funded_account(bank, ann, 20_000)
    debit = bank.cards.issue_debit(ann, checking)
    credit = credit_card(bank, ann, 30_000)
    buy(bank, ann, debit, 1_234)
    buy(bank, ann, credit, 5_000)
    with pytest.raises(CardDeclined):
        buy(bank, ann, credit, 30_000)
    settle(bank)
    bank.cards.pay(ann, credit.card.id, checking, 2_500)
    bank.cards.report_lost(ann, debit.card.id, stolen=True)
    bank.cards.replace(ann, debit.card.id)
    report = bank.verify()
    assert report.ok, report.problems
    assert bank.verify_audit().ok
    kinds = audit_kinds(bank)
    for kind in (
        "card.issue",
        "money.card_purchase",
        "card.purchase_declined",
        "money.card_payment",
        "card.report_stolen",
        "card.replace",
    ):
        assert kind in kinds
