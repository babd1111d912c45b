"""`execute_rows` writes exactly what SQLAlchemy's executemany writes (a datetime as the same
text), counts the rows it changed, and refuses a statement whose parameters the rows lack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)

from bankapp.bank import Bank
from bankapp.storage.bulk_rows import execute_rows


@pytest.fixture
def probe(bank: Bank) -> Iterator[tuple[Engine, Table]]:
    table = Table(
        f"bulk_probe_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("amount", BigInteger, nullable=False),
        Column("memo", String(40), nullable=False),
        Column("at", DateTime, nullable=True),
    )
    engine = bank.db.engine
    table.create(engine)
    try:
        yield engine, table
    finally:
        table.drop(engine)


def test_rows_are_written_as_sqlalchemy_writes_them(probe: tuple[Engine, Table]) -> None:
    engine, table = probe
    now = datetime(2026, 12, 3, 9, 30, 0, 0)
    later = datetime(2026, 12, 3, 9, 30, 1, 250_000)
    rows = [
        {"id": n, "amount": n * 100, "memo": f"memo {n} •", "at": later if n in (4, 6) else now}
        for n in range(1, 8)
    ]
    rows[2]["at"] = None
    with engine.begin() as conn:
        counted = execute_rows(conn, insert(table), rows[:4])
        conn.execute(insert(table), rows[4:])  # the same rows through SQLAlchemy
    with engine.connect() as conn:
        stored = conn.execute(select(table).order_by(table.c.id)).all()
        texts = conn.execute(
            text(f"SELECT id, CAST(at AS TEXT) FROM {table.name} ORDER BY id")
        ).all()
    assert [tuple(r) for r in stored] == [(r["id"], r["amount"], r["memo"], r["at"]) for r in rows]
    assert counted == (4 if engine.dialect.name == "sqlite" else -1)
    by_id = dict(texts)  # type: ignore[arg-type]
    # rows 1-4 through execute_rows, 5-7 through SQLAlchemy: the same text either way
    assert by_id[1] == by_id[5] == by_id[7] and by_id[4] == by_id[6] != by_id[1]
    assert by_id[3] is None


def test_the_count_is_of_rows_changed(probe: tuple[Engine, Table]) -> None:
    engine, table = probe
    with engine.begin() as conn:
        execute_rows(conn, insert(table), [{"id": n, "amount": 0, "memo": "m"} for n in (1, 2)])
        moved = (
            update(table)
            .where(table.c.id == bindparam("row"), table.c.amount == bindparam("was"))
            .values(amount=bindparam("new"))
        )
        changed = execute_rows(
            conn, moved, [{"row": 1, "was": 0, "new": 5}, {"row": 2, "was": 9, "new": 5}]
        )
    assert changed == 1  # the second row's amount was not 9


def test_a_statement_needing_more_than_the_rows_give_is_refused(
    probe: tuple[Engine, Table],
) -> None:
    engine, table = probe
    needs = update(table).where(table.c.id == bindparam("row")).values(amount=bindparam("new"))
    with engine.begin() as conn:
        if engine.dialect.name != "sqlite":
            pytest.skip("off SQLite the rows go through SQLAlchemy, which says so itself")
        with pytest.raises(ValueError, match="needs the parameter 'row'"):
            execute_rows(conn, needs, [{"new": 1}])
