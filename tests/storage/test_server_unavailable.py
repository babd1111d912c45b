"""A PostgreSQL server that is down answers every call with one typed error, "database
unavailable", that says to try again; never a driver's traceback."""

from __future__ import annotations

import pytest

from bankapp.bank import Bank, open_bank
from bankapp.errors import DatabaseUnavailable
from bankapp.storage.engine import make_engine
from tests.pg_cluster import free_port


def down_url() -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/bank?connect_timeout=2"


def test_a_call_while_the_server_is_down_is_database_unavailable() -> None:
    bank = Bank(make_engine(down_url()))
    with pytest.raises(DatabaseUnavailable) as refused:
        bank.auth.login("alice", "a-long-test-passphrase")
    assert "unavailable" in refused.value.message and "try again" in refused.value.message
    bank.close()


def test_opening_a_bank_on_a_server_that_is_down_is_database_unavailable() -> None:
    with pytest.raises(DatabaseUnavailable):
        open_bank(down_url())
