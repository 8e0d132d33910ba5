"""Store fixtures: each test gets a fresh SQLite file and, when configured, a fresh PG schema."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregator.models import Listing, Match, Posting
from aggregator.store import Store
from tests.support.postgres import postgres_schema_url

NOW = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a file in a not-yet-created folder, or a new PG schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'aggregator.db'}"
    else:
        yield from postgres_schema_url()


@pytest.fixture
def empty_store(store_url: str) -> Iterator[Store]:
    """A store whose schema has not been created yet."""
    store = Store(store_url)
    yield store
    store.dispose()


@pytest.fixture
def store(empty_store: Store) -> Store:
    empty_store.upgrade()
    return empty_store


PostingFactory = Callable[..., Posting]


@pytest.fixture
def now() -> datetime:
    """A fixed aware UTC time with microseconds, so round-trip losses would show."""
    return NOW


@pytest.fixture
def make_posting() -> PostingFactory:
    """Build a Posting; keyword arguments override the defaults."""

    def build(dedup_key: str = "guid:1", **overrides: Any) -> Posting:
        values: dict[str, Any] = {
            "source": "board",
            "dedup_key": dedup_key,
            "title": f"Job {dedup_key}",
            "url": f"https://example.org/{dedup_key}",
            "external_id": dedup_key,
            "company": "Acme",
            "location": "Remote",
            "description": "Write Python.",
            "description_html": "<p>Write Python.</p>",
            "tags": ("python", "remote"),
            "posted_at": NOW - timedelta(days=1),
            "first_seen_at": NOW,
        }
        return Posting(**(values | overrides))

    return build


@pytest.fixture
def make_listings(store: Store, make_posting: PostingFactory) -> Callable[[int], list[Listing]]:
    """Store `count` new postings and return their listings."""

    def build(count: int) -> list[Listing]:
        with store.transaction() as unit:
            return unit.upsert_postings(
                [make_posting(f"guid:{secrets.token_hex(4)}") for _ in range(count)]
            )

    return build


@pytest.fixture
def enqueue_alerts(
    store: Store, make_listings: Callable[[int], list[Listing]]
) -> Callable[..., int]:
    """Queue one alert per new listing on `channel`, due at `now`; return how many."""

    def build(count: int, *, channel: str = "me", now: datetime = NOW) -> int:
        listings = make_listings(count)
        with store.transaction() as unit:
            items = [
                (Match(listing.id, "python", "title has python"), channel) for listing in listings
            ]
            return unit.enqueue(items, now=now)

    return build
