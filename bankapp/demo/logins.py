"""Who the demo bank signs in as (published in the README: demo only), and whether a bank
is the demo (the sign-in screen then shows these sign-ins)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bankapp.bank import Bank
from bankapp.domain.types import AccountKind, Role
from bankapp.storage.models import AuditEvent

DEMO_PASSWORD = "bank-demo-2026!"
# Demo staff are enrolled for TOTP with these published keys (README: demo), so anyone can
# compute a code: `python -c "import pyotp; print(pyotp.TOTP('KEY').now())"`. Demo only.
DEMO_TOTP_SECRETS = {
    "teller": "DEMOTELLERTOTPKEYBANKAPPDEMOAAAA",
    "admin": "DEMOADMINTOTPKEYBANKAPPDEMOAAAAA",
    "sam": "DEMOSAMTOTPKEYBANKAPPDEMOAAAAAAA",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    full_name: str
    email: str
    phone: str
    address: str
    accounts: tuple[tuple[AccountKind, str], ...] = ()


DEMO_USERS = (
    DemoUser(
        "alice",
        Role.CUSTOMER,
        "Alice Martin",
        "alice@example.com",
        "+1 555 0101",
        "12 Elm Street, Springfield",
        ((AccountKind.CHECKING, "Everyday"), (AccountKind.SAVINGS, "Rainy day")),
    ),
    DemoUser(
        "bob",
        Role.CUSTOMER,
        "Bob Okafor",
        "bob@example.com",
        "+1 555 0102",
        "4 Harbour Road, Shelbyville",
        ((AccountKind.CHECKING, "Main"), (AccountKind.BUSINESS, "Okafor Bikes")),
    ),
    DemoUser(
        "carol",
        Role.CUSTOMER,
        "Carol Nguyen",
        "carol@example.com",
        "+1 555 0103",
        "88 Hill Avenue, Capital City",
        (
            (AccountKind.CHECKING, "Checking"),
            (AccountKind.SAVINGS, "House fund"),
            (AccountKind.SAVINGS, "Holidays"),
        ),
    ),
    DemoUser(
        "dan",
        Role.CUSTOMER,
        "Dan Reyes",
        "dan@example.com",
        "+1 555 0104",
        "1 Quay Street, Springfield",
        ((AccountKind.BUSINESS, "Reyes Lettings"),),
    ),
    DemoUser(
        "teller", Role.TELLER, "Tom Teller", "teller@bank.example", "+1 555 0200", "Main branch"
    ),
    DemoUser("admin", Role.ADMIN, "Ada Admin", "admin@bank.example", "+1 555 0201", "Main branch"),
    # A second supervisor: what widens someone's access needs an admin other than the maker.
    DemoUser("sam", Role.ADMIN, "Sam Supervisor", "sam@bank.example", "+1 555 0202", "Main branch"),
)


def is_demo(bank: Bank) -> bool:
    """True when this database was built by `bankapp demo` (the login screen then shows the
    demo sign-ins)."""
    table = AuditEvent
    return bank.db.read(
        lambda tx: (
            tx.conn.execute(
                select(table.c.id).where(table.c.kind == "demo.created").limit(1)
            ).first()
            is not None
        )
    )
