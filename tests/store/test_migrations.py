"""Schema migrations: idempotent upgrades, and no drift between the migration and tables.py."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from aggregator.store import Store
from aggregator.store.engine import make_engine
from aggregator.store.tables import metadata

TABLES = {
    "listings",
    "sightings",
    "matches",
    "outbox",
    "source_state",
    "locks",
    "listing_keys",
    "merge_overrides",
}


def test_schema_is_not_current_before_the_first_upgrade(empty_store: Store) -> None:
    assert empty_store.schema_is_current() is False


def test_upgrade_makes_the_schema_current(empty_store: Store) -> None:
    empty_store.upgrade()

    assert empty_store.schema_is_current() is True


def test_upgrade_twice_is_a_no_op(store_url: str) -> None:
    first = Store(store_url)
    first.upgrade()
    first.dispose()
    second = Store(store_url)  # a second start of the program, on the same database

    second.upgrade()

    assert second.schema_is_current() is True
    second.dispose()


def test_upgrade_creates_every_table(store: Store, store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    assert tables == TABLES | {"alembic_version"}


def test_migrated_database_matches_the_tables_module(store: Store, store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_tables_module_declares_exactly_the_expected_tables() -> None:
    assert set(metadata.tables) == TABLES


def test_unsupported_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        Store("mysql://user@localhost/db")
