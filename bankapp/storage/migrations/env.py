"""Alembic environment: runs migrations on the connection bankapp hands it."""

from __future__ import annotations

from alembic import context

from bankapp.storage.models import declared_in_models, metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - bankapp always passes its own connection
    raise RuntimeError("Run migrations through `bankapp init`, which supplies the connection.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=lambda name, _type, _parent: declared_in_models(name),
)
with context.begin_transaction():
    context.run_migrations()
