"""Alembic environment: migrates the connection that `Store.upgrade()` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from aggregator.store.engine import begin, make_engine
from aggregator.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Use the given connection, or `sqlalchemy.url` when run from the alembic command line."""
    if context.is_offline_mode():
        raise RuntimeError("offline (SQL script) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection: call Store.upgrade() or set sqlalchemy.url")
    engine = make_engine(url)
    try:
        with begin(engine) as connection:
            _run(connection)
    finally:
        engine.dispose()


run_migrations()
