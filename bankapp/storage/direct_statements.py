"""The few statements every money movement runs, sent to the driver without SQLAlchemy's
per-call work.

A transfer runs about a dozen small statements. Through `Connection.execute` each costs
SQLAlchemy 30-60 microseconds of Python (execution context, parameter processing, result
metadata, event dispatch) against 3-5 for the driver itself: on SQLite that was most of the
service layer's CPU per transfer (`make bench`, section 1). Here the statement is still
written once, as SQLAlchemy Core, and compiled by SQLAlchemy once per dialect and set of
parameter names; each call then converts the parameters with their types' own bind
processors, hands the SQL to the driver cursor of the same connection (so it is part of the
same transaction) and converts the result columns with their types' result processors. The
rows are named tuples with the same attribute names as SQLAlchemy's.

A driver error is raised as SQLAlchemy's (`DBAPIError`), so `Database` retries and
translates it exactly as it does any other statement's. `tests/storage/test_direct_statements.py`
checks that every statement run this way gives what `Connection.execute` gives, on both
databases."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.sql.base import Executable

MAX_COMPILED = 256
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Compiled:
    """One statement as the driver takes it, for one dialect and one set of parameters."""

    statement: Executable
    sql: str
    positional: bool  # qmark (SQLite): a tuple in `order`; else (psycopg) a dict
    order: tuple[str, ...]
    fixed: tuple[tuple[str, Any], ...]  # values the statement itself carries ("open", LIMIT)
    binds: tuple[tuple[str, Processor], ...]  # the parameters that need converting
    row: Any  # the named tuple class of a result row, or None for no result columns
    results: tuple[tuple[int, Processor], ...]  # the columns that need converting


_compiled: dict[tuple[int, str, tuple[str, ...]], Compiled] = {}


def compile_for(conn: Connection, statement: Executable, keys: Sequence[str]) -> Compiled:
    """`statement` compiled for this connection's dialect with parameters `keys` (cached:
    the statements are module constants)."""
    dialect = conn.dialect
    cache_key = (id(statement), dialect.name, tuple(keys))
    found = _compiled.get(cache_key)
    if found is not None and found.statement is statement:
        return found
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup if compiled.positiontup is not None else compiled.binds)
    fixed = []
    for name in dict.fromkeys(names):
        bind = compiled.binds[name]
        if name in keys:
            continue
        if bind.required or bind.callable is not None or bind.expanding:
            raise ValueError(f"{statement} needs the parameter {name!r}, which was not given")
        fixed.append((name, bind.value))
    binds = tuple(
        (name, process)
        for name in dict.fromkeys(names)  # a name used twice is converted once
        if (process := compiled.binds[name].type._cached_bind_processor(dialect)) is not None
    )
    columns = [(column[0], column[3]) for column in compiled._result_columns]
    row = namedtuple("Row", [name for name, _ in columns]) if columns else None
    results = tuple(
        (index, process)
        for index, (_, type_) in enumerate(columns)
        if (process := type_._cached_result_processor(dialect, None)) is not None
    )
    found = Compiled(
        statement,
        compiled.string,
        compiled.positiontup is not None,
        names,
        tuple(fixed),
        binds,
        row,
        results,
    )
    if len(_compiled) >= MAX_COMPILED:  # a guard: callers pass module constants
        _compiled.clear()
    _compiled[cache_key] = found
    return found


def fetch_rows(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> list[Any]:
    """Every row `statement` returns for `params` (an empty list for a statement without
    result columns)."""
    compiled = compile_for(conn, statement, tuple(params))
    values: dict[str, Any] = dict(params)
    values.update(compiled.fixed)
    for name, process in compiled.binds:
        if values[name] is not None:
            values[name] = process(values[name])  # type: ignore[misc]
    sent: Any = tuple(values[name] for name in compiled.order) if compiled.positional else values
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.sql, sent)
        if compiled.row is None:
            return []
        fetched = cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as error:
        raise _as_sqlalchemy_error(conn, cursor, compiled.sql, sent, error) from error
    finally:
        cursor.close()
    make, converting = compiled.row._make, compiled.results
    if not converting:
        return [make(values) for values in fetched]
    rows = []
    for values in fetched:
        converted = list(values)
        for index, process in converting:
            if converted[index] is not None:
                converted[index] = process(converted[index])  # type: ignore[misc]
        rows.append(make(converted))
    return rows


def run_sql(conn: Connection, sql: str) -> None:
    """Run one statement without parameters or results (BEGIN) on the connection's driver."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    except conn.dialect.loaded_dbapi.Error as error:
        raise _as_sqlalchemy_error(conn, cursor, sql, (), error) from error
    finally:
        cursor.close()


def _as_sqlalchemy_error(conn: Connection, cursor: Any, sql: str, sent: Any, error: Any) -> Any:
    """A driver error as SQLAlchemy raises it; a lost connection is invalidated first."""
    invalidated = conn.dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
    if invalidated:
        conn.invalidate(error)
    return exc.DBAPIError.instance(
        sql,
        sent,
        error,
        conn.dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
        dialect=conn.dialect,
    )


def fetch_one(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> Any:
    """The one row `statement` returns, or None (a statement that may return several is a
    caller's mistake, as with SQLAlchemy's `one_or_none`)."""
    rows = fetch_rows(conn, statement, params)
    if len(rows) > 1:
        raise exc.MultipleResultsFound("Multiple rows were found when one or none was required")
    return rows[0] if rows else None


def fetch_value(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> Any:
    """The first column of the one row `statement` returns, or None."""
    row = fetch_one(conn, statement, params)
    return None if row is None else row[0]
