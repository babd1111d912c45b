"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from bankapp.storage.models import declared_in_models, metadata


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, _type, _parent: declared_in_models(name),
                },
            )
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == [], f"models and migrations differ: {differences}"


def test_the_head_start_up_compares_with_is_the_newest_migration() -> None:
    """`HEAD_REVISION` lets start-up skip importing Alembic; it must name the newest file."""
    from bankapp.storage.schema import HEAD_REVISION, head_revision

    assert head_revision() == HEAD_REVISION
