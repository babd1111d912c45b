"""Hostile input through every service entry point: refused with a typed error and a clear
message, or stored and read back literally; never another exception, never a wrong balance."""

from __future__ import annotations

import pytest

from bankapp.bank import Bank
from tests.reliability.hostile import (
    AMOUNT_PROBES,
    DATE_PROBES,
    HOSTILE_AMOUNTS,
    HOSTILE_DATES,
    HOSTILE_TEXT,
    TEXT_PROBES,
    HostileReport,
    make_world,
    run_table,
)


def _assert_clean(report: HostileReport, expected_tries: int) -> None:
    assert report.failures == [], "\n".join(report.failures)
    assert report.tried == expected_tries
    assert report.refused > 0


@pytest.mark.parametrize("where", list(TEXT_PROBES))
def test_hostile_text_is_refused_or_stored_literally(bank: Bank, where: str) -> None:
    report = run_table(make_world(bank), {where: TEXT_PROBES[where]}, HOSTILE_TEXT)
    _assert_clean(report, len(HOSTILE_TEXT))


@pytest.mark.parametrize("where", list(AMOUNT_PROBES))
def test_hostile_amounts_are_refused_and_move_no_money(bank: Bank, where: str) -> None:
    report = run_table(make_world(bank), {where: AMOUNT_PROBES[where]}, HOSTILE_AMOUNTS)
    _assert_clean(report, len(HOSTILE_AMOUNTS))
    # Only the two well-formed amounts may pass.
    assert report.accepted <= 2


def test_out_of_range_history_dates_are_refused_or_answered(bank: Bank) -> None:
    report = run_table(make_world(bank), DATE_PROBES, HOSTILE_DATES)
    assert report.failures == [], "\n".join(report.failures)
    assert report.tried == len(DATE_PROBES) * len(HOSTILE_DATES)
