"""The demo bank: customers, staff, accounts and a few months of varied, seeded history.

Money enters the way it does at a bank: opening deposits in cash at the teller's counter,
salaries as check deposits held until they clear, cash out at the ATM, rent by transfer to the
landlord; every morning the clearing run clears deposits and settles yesterday's card
purchases. The last days leave work to look at: a salary on hold, card purchases waiting to
settle, a large cash deposit and a credit card application waiting for a decision."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from bankapp.bank import Bank
from bankapp.clock import FixedClock
from bankapp.demo.acting import DemoActors
from bankapp.demo.card_spending import demo_card_day, issue_demo_cards
from bankapp.demo.logins import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS
from bankapp.domain.types import Actor, Role
from bankapp.errors import DailyLimitExceeded, InsufficientFunds
from bankapp.services import audit
from bankapp.services.standing_orders import NewStandingOrder

DEMO_DAYS = 120


def build_demo(bank: Bank, *, seed: int = 2026, end: datetime | None = None) -> None:
    """Fill an empty database with the demo. Time is stepped through `DEMO_DAYS` days of
    history ending at `end` (default: now), then the bank's clock is restored."""
    real_clock = bank.db.clock
    end = end or real_clock.now()
    clock = FixedClock(end - timedelta(days=DEMO_DAYS))
    bank.db.clock = clock
    try:
        rng = random.Random(seed)
        actors = DemoActors(bank)
        accounts: dict[str, list[int]] = {}
        for user in DEMO_USERS:
            view = bank.operator.create_user(
                username=user.username,
                password=DEMO_PASSWORD,
                role=user.role,
                full_name=user.full_name,
                email=user.email,
                phone=user.phone,
                address=user.address,
                must_change_password=False,
            )
            actors.add(view)
            if user.username in DEMO_TOTP_SECRETS:
                bank.operator.enrol_second_factor(user.username, DEMO_TOTP_SECRETS[user.username])
            accounts[user.username] = [
                bank.accounts.open(actors[user.username], kind, name).id
                for kind, name in user.accounts
            ]
        customers = [u.username for u in DEMO_USERS if u.role == Role.CUSTOMER]
        numbers = {
            name: [bank.accounts.get(actors[name], a).number for a in accounts[name]]
            for name in customers
        }
        _opening_deposits(bank, rng, actors, accounts, customers)
        demo_cards = issue_demo_cards(bank, seed, actors, accounts)
        landlord = numbers["dan"][0]
        _standing_orders(bank, actors, accounts, numbers, clock.now().date())
        for day in range(DEMO_DAYS):
            clock.set(end - timedelta(days=DEMO_DAYS - day, hours=-8))
            # Last night's close of business: clearing, settlement, orders, interest, seal.
            yesterday = (clock.now() - timedelta(days=1)).date()
            bank.close_of_business.close_day(actors["admin"], yesterday)
            clock.set(end - timedelta(days=DEMO_DAYS - day, hours=-9, minutes=-rng.randrange(480)))
            for name in customers:
                if name == "dan":
                    continue
                _demo_day(bank, rng, day, actors[name], accounts[name], numbers, name, landlord)
                demo_card_day(bank, demo_cards, day, name, actors[name], accounts[name][0])
        _demo_branch_day(bank, clock, end, actors, accounts)
        clock.set(end - timedelta(minutes=1))
        actors.end_all()
        bank.db.write(
            lambda tx: audit.record(
                tx, None, "demo.created", "demo database", {"seed": seed}, actor_name="operator"
            )
        )
    finally:
        bank.db.clock = real_clock


def _standing_orders(
    bank: Bank,
    actors: DemoActors,
    accounts: dict[str, list[int]],
    numbers: dict[str, list[str]],
    start: date,
) -> None:
    """Alice saves monthly into her savings; Carol pays Dan's lettings agency weekly."""
    bank.standing_orders.create(
        actors["alice"],
        NewStandingOrder(
            from_account_id=accounts["alice"][0],
            to_account_number=numbers["alice"][1],
            name="Monthly saving",
            amount=150_00,
            frequency="monthly",
            day=1,
            start_date=start,
        ),
    )
    bank.standing_orders.create(
        actors["carol"],
        NewStandingOrder(
            from_account_id=accounts["carol"][0],
            to_account_number=numbers["dan"][0],
            name="Parking space",
            amount=25_00,
            frequency="weekly",
            day=4,
            start_date=start,
        ),
    )


def _opening_deposits(
    bank: Bank,
    rng: random.Random,
    actors: DemoActors,
    accounts: dict[str, list[int]],
    customers: list[str],
) -> None:
    """Each customer's opening deposit, in cash at the counter through the teller's drawer,
    which is then counted and closed."""
    teller = actors["teller"]
    bank.drawers.open_drawer(teller, 100_000)
    taken = 0
    for name in customers:
        amount = rng.randrange(150_000, 400_000)
        bank.payments.deposit(teller, accounts[name][0], amount, memo="Opening deposit")
        taken += amount
    bank.drawers.close_drawer(teller, 100_000 + taken)


def _demo_branch_day(
    bank: Bank,
    clock: FixedClock,
    end: datetime,
    actors: DemoActors,
    accounts: dict[str, list[int]],
) -> None:
    """The teller's morning: a drawer session closed $5.00 short, a drawer open now, and a
    large deposit and a credit card application waiting in the approvals queue. The teller
    opens each customer before serving them, so they are the teller's recent customers."""
    bob, carol = accounts["bob"][0], accounts["carol"][0]
    clock.set(end - timedelta(hours=3))
    bank.drawers.open_drawer(actors["teller"], 200_000)
    bank.customers.overview(actors["teller"], actors["bob"].user_id)
    bank.payments.deposit(actors["teller"], bob, 45_000, memo="Cash from market stall")
    bank.customers.overview(actors["teller"], actors["carol"].user_id)
    bank.payments.withdraw(actors["teller"], carol, 12_000, memo="Cash withdrawal")
    clock.set(end - timedelta(hours=2))
    bank.drawers.close_drawer(actors["teller"], 200_000 + 45_000 - 12_000 - 500)
    clock.set(end - timedelta(minutes=90))
    bank.drawers.open_drawer(actors["teller"], 150_000)
    bank.customers.overview(actors["teller"], actors["carol"].user_id)
    bank.payments.deposit(actors["teller"], carol, 7_500, memo="Cash deposit")
    clock.set(end - timedelta(minutes=30))
    bank.customers.overview(actors["teller"], actors["bob"].user_id)
    bank.approvals.submit(actors["teller"], "deposit", bob, 1_250_000, memo="Sale of delivery van")
    bank.cards.apply_for_credit(actors["bob"], 250_000)


def _demo_day(
    bank: Bank,
    rng: random.Random,
    day: int,
    actor: Actor,
    own: list[int],
    numbers: dict[str, list[str]],
    name: str,
    landlord: str,
) -> None:
    main = own[0]
    try:
        if day % 14 == 3 or day == DEMO_DAYS - 1:
            # The salary check, held until it clears.
            bank.payments.deposit(actor, main, rng.randrange(180_000, 320_000), memo="Salary")
        if day % 30 == 5:
            bank.payments.transfer(
                actor, main, landlord, rng.randrange(90_000, 140_000), memo="Rent"
            )
        if rng.random() < 0.6:
            bank.payments.withdraw(actor, main, rng.randrange(500, 9_000), memo="ATM")
        if len(own) > 1 and rng.random() < 0.12:
            target = numbers[name][rng.randrange(1, len(own))]
            bank.payments.transfer(actor, main, target, rng.randrange(5_000, 50_000), memo="Saving")
        if rng.random() < 0.08:
            other = rng.choice([n for n in numbers if n != name])
            bank.payments.transfer(
                actor,
                main,
                numbers[other][0],
                rng.randrange(1_000, 20_000),
                memo=rng.choice(("Dinner split", "Concert tickets", "Gift")),
            )
    except (InsufficientFunds, DailyLimitExceeded):
        pass  # a demo customer, like a real one, sometimes cannot afford something
