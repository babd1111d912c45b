"""The books checked without opening the whole bank: what `bankapp verify` runs.

Opening a `Bank` builds every service, which is most of a command's start-up; a check needs
only the engine, the installation key ring and the verifier. The checks are the same ones
`Bank.verify` runs (`services.verify.verify_ledger`)."""

from __future__ import annotations

from bankapp.services.chain_worker import start_chain_walk
from bankapp.services.verify import VerifyReport, verify_ledger
from bankapp.storage.engine import make_engine, map_for_reading
from bankapp.storage.keyring import installation_ring
from bankapp.storage.schema import require_current_schema


def verify_database(url: str, *, since_seal: bool = False, parallel: bool = False) -> VerifyReport:
    """Verify the database at `url` (at this version's schema) in one read transaction;
    `parallel` walks the audit chain in a second process meanwhile (command line only)."""
    engine = make_engine(url)
    try:
        require_current_schema(engine)
        ring = installation_ring(engine)
        full_url = engine.url.render_as_string(hide_password=False)
        elsewhere = (lambda: start_chain_walk(full_url, ring)) if parallel else None
        with engine.connect() as conn, conn.begin():
            map_for_reading(conn)
            return verify_ledger(conn, ring, since_seal=since_seal, chain_elsewhere=elsewhere)
    finally:
        engine.dispose()
