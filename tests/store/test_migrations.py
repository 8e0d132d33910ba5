"""Schema migrations: idempotent upgrades, and no drift between the migration and tables.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from aggregator.models import Match, Posting
from aggregator.store import Store
from aggregator.store.engine import make_engine, migrate
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


def test_a_0005_database_with_data_keeps_everything_through_the_upgrade(
    store_url: str, make_posting: Callable[..., Posting]
) -> None:
    """Listings, sightings, matches and the outbox written before merged listings survive
    migration 0006; the old listings are open, and the store works on them."""
    engine = make_engine(store_url)
    migrate(engine, "0005_holders")
    at = "2030-01-02 03:04:05"
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO listings (id, title, url, company, location, description, tags,"
            " posted_at, first_seen_at, remote) VALUES (7, 'Old gig', 'https://x.test/7',"
            f" 'Acme', 'Berlin', 'Text', '[]', '{at}', '{at}', 'yes')",
            "INSERT INTO sightings (source, dedup_key, external_id, url, listing_id,"
            f" first_seen_at, last_seen_at) VALUES ('board', 'guid:7', '7', 'https://x.test/7',"
            f" 7, '{at}', '{at}')",
            f"INSERT INTO matches (listing_id, rule, why, created_at) VALUES (7, 'r', 'w', '{at}')",
            "INSERT INTO outbox (key, listing_id, rule, channel, why, status, attempts,"
            " next_attempt_at, created_at, kind) VALUES ('7:r:me', 7, 'r', 'me', 'w', 'sent', 1,"
            f" '{at}', '{at}', 'alert')",
        ):
            connection.execute(text(statement))
    engine.dispose()

    store = Store(store_url)
    try:
        store.upgrade()
        assert store.schema_is_current()
        [listing] = store.all_listings()
        assert (listing.id, listing.title, listing.sources) == (7, "Old gig", ("board",))
        assert (listing.status, listing.closed_at, listing.reposted_from) == ("open", None, None)
        [entry] = store.outbox()
        assert (entry.key, entry.listing_id, entry.status.value) == ("7:r:me", 7, "sent")
        with store.transaction() as unit:  # an old sighting seen again is only touched
            assert unit.upsert_postings([make_posting("guid:7")]) == []
            assert unit.add_matches([Match(7, "r", "again")]) == []
        check = make_engine(store_url)
        try:
            with check.connect() as connection:
                found = connection.execute(text("SELECT listing_id, rule, why FROM matches"))
                assert [tuple(row) for row in found] == [(7, "r", "w")]
        finally:
            check.dispose()
    finally:
        store.dispose()


def test_listings_stored_before_the_merge_stage_are_merged_with_after_the_upgrade(
    store_url: str, make_posting: Callable[..., Posting]
) -> None:
    """The upgrade gives old sightings the identity their listing's text makes, so a posting
    of the same job on another board joins the old listing instead of alerting again."""
    engine = make_engine(store_url)
    migrate(engine, "0005_holders")
    at = "2030-01-02 03:04:05"
    job_url = "https://boards.greenhouse.io/acme/jobs/4012345"
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO listings (id, title, url, company, location, description, tags,"
            f" posted_at, first_seen_at, remote) VALUES (7, 'Data Analyst', '{job_url}',"
            f" 'Acme', 'Berlin', 'Analyse data.', '[]', '{at}', '{at}', 'no')",
            "INSERT INTO sightings (source, dedup_key, external_id, url, listing_id,"
            f" first_seen_at, last_seen_at) VALUES ('acme-board', 'guid:4012345', '4012345',"
            f" '{job_url}', 7, '{at}', '{at}')",
        ):
            connection.execute(text(statement))
    engine.dispose()

    store = Store(store_url)
    try:
        store.upgrade()
        check = make_engine(store_url)
        try:
            with check.connect() as connection:
                stored = connection.execute(text("SELECT identity FROM sightings")).scalar_one()
                keys = connection.execute(text("SELECT key FROM listing_keys")).scalars().all()
        finally:
            check.dispose()
        assert stored is not None
        assert any(key.startswith("ats:") and "4012345" in key for key in keys)
        elsewhere = make_posting(
            "guid:elsewhere",
            source="remote-board",
            title="Data Analyst",
            url=f"{job_url}?gh_src=remote-board",
            company="Acme",
            location="Berlin",
        )
        with store.transaction() as unit:
            assert unit.upsert_postings([elsewhere]) == []  # joined listing 7: nothing new
        [listing] = store.all_listings()
        assert listing.sources == ("acme-board", "remote-board")
    finally:
        store.dispose()
