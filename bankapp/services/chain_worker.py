"""The audit chain walked in a second process while the first checks the books.

A full `bankapp verify` is two independent halves of about the same cost: keyed links over
every audit event (Python HMACs) and the books' invariants (SQL). On a machine with two
cores they run side by side. Only a command-line process forks (no threads, no UI); the
child opens its own connection, and anything it cannot report is a failure, never a pass."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection as Pipe

from bankapp.errors import StorageError
from bankapp.services.chain_walk import ChainReport, verify_chain
from bankapp.storage.engine import make_engine, map_for_reading
from bankapp.storage.keyring import KeyRing

PendingChain = Callable[[], ChainReport]


def start_chain_walk(url: str, ring: KeyRing | None) -> PendingChain | None:
    """Start walking the whole chain in a forked process; None where forking is not safe
    (no fork, other threads running, an in-memory database, a single core)."""
    if (
        not hasattr(os, "fork")
        or threading.active_count() > 1
        or (os.cpu_count() or 1) < 2
        or (url.startswith("sqlite://") and url in ("sqlite://", "sqlite:///:memory:"))
    ):
        return None
    if ring is not None:
        with contextlib.suppress(StorageError):  # the walk reports an unreadable key
            ring.keys()  # loaded once here, inherited by the child
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_walk, args=(url, ring, sending), daemon=True)
    child.start()
    sending.close()

    def result() -> ChainReport:
        try:
            report = receiving.recv()
        except EOFError:
            report = None
        finally:
            receiving.close()
            child.join()
        if not isinstance(report, ChainReport):
            raise StorageError(
                f"The audit chain check stopped before it finished (exit code {child.exitcode})."
            )
        return report

    return result


def _walk(url: str, ring: KeyRing | None, sending: Pipe) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            map_for_reading(conn)
            sending.send(verify_chain(conn, ring))
    finally:
        engine.dispose()
        sending.close()
