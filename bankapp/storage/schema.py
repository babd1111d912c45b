"""Schema versions: create or upgrade a database with Alembic, and refuse one we cannot use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from bankapp.errors import SchemaOutdated, SchemaTooNew, StorageError
from bankapp.storage.database import translate_db_error

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (a test holds them equal). Start-up compares the
# database with it directly; Alembic, a tenth of a second to import, loads only to upgrade or
# to explain a database that is not at it.
HEAD_REVISION = "0011"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def revisions_after(revision: str | None) -> list[tuple[str, str]]:
    """(revision, first line of its description) of each revision newer than `revision`, oldest
    first: what an upgrade from it changes."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    newer = script.iterate_revisions("head", revision or "base")
    found = [
        (r.revision, (r.doc or "").strip().splitlines()[0]) for r in newer if r.revision != revision
    ]
    return list(reversed(found))


def database_revision(engine: Engine) -> str | None:
    """The revision a database is at (None: new or not bankapp's)."""
    try:
        with engine.connect() as conn:
            return current_revision(conn)
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def upgrade_to_head(engine: Engine) -> str:
    """Create the schema or bring it to the newest version; returns the revision now in place.

    On SQLite a migration may rebuild a table others reference (SQLite cannot drop a column
    in place), so foreign keys are off while it runs, which SQLite allows only outside a
    transaction; every reference is checked before the upgrade commits."""
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            driver = conn.connection.driver_connection
            if sqlite and driver is not None:
                driver.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    from alembic import command

                    refuse_newer(current_revision(conn))
                    command.upgrade(alembic_config(conn), "head")
                    if sqlite:
                        _require_references_intact(conn)
                    return current_revision(conn) or ""
            finally:
                if sqlite and driver is not None:
                    driver.execute("PRAGMA foreign_keys = ON")
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc


def _require_references_intact(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StorageError(
            f"The upgrade would leave {len(broken)} broken reference(s) (first: {broken[0]}); "
            "nothing was changed."
        )


def require_current_schema(engine: Engine) -> None:
    """Raise a typed error unless the database is exactly at this version's schema."""
    if _at_head(engine):
        return
    try:
        with engine.connect() as conn:
            revision = current_revision(conn)
            has_tables = bool(inspect(conn).get_table_names())
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc
    refuse_newer(revision)
    if revision is None:
        detail = "has tables bankapp did not create" if has_tables else "is empty"
        raise SchemaOutdated(f"The database {detail}; run `bankapp init` to set it up.")
    if revision != head_revision():
        raise SchemaOutdated(
            "The database was made by an older bankapp; run `bankapp init` to upgrade it."
        )


def _at_head(engine: Engine) -> bool:
    """The common case, answered without Alembic: the database says it is at HEAD_REVISION."""
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:
        return False  # no such table, or no database: the full check says which
    return found == [HEAD_REVISION]


def refuse_newer(revision: str | None) -> None:
    """Refuse a database made by a newer bankapp (a revision this one does not know)."""
    if revision is not None and revision not in _known_revisions():
        raise SchemaTooNew(
            f"The database schema ({revision}) is newer than this bankapp understands; "
            "upgrade bankapp before using this database."
        )
