"""Reading listings back: by id, since a time, with the sources of all their sightings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import insert

from aggregator.models import JobDetails, Posting
from aggregator.store import Store
from aggregator.store.engine import make_engine
from aggregator.store.tables import sightings

PostingFactory = Callable[..., Posting]


def test_listings_by_id_leaves_out_unknown_ids(store: Store, make_posting: PostingFactory) -> None:
    with store.transaction() as unit:
        (created,) = unit.upsert_postings([make_posting("guid:1")])

    found = store.listings([created.id, created.id + 1000])

    assert found == {created.id: created}


def test_listings_by_id_of_nothing_is_empty(store: Store) -> None:
    assert store.listings([]) == {}


def test_all_listings_since_keeps_listings_first_seen_at_or_after_it(
    store: Store, make_posting: PostingFactory, now: datetime
) -> None:
    times = [now - timedelta(days=1), now, now + timedelta(days=1)]
    with store.transaction() as unit:
        created = unit.upsert_postings(
            [make_posting(f"guid:{i}", first_seen_at=t) for i, t in enumerate(times)]
        )

    assert store.all_listings(since=now) == created[1:]
    assert store.all_listings() == created


def test_listing_sources_are_the_sorted_sources_of_its_sightings(
    store: Store, store_url: str, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        (created,) = unit.upsert_postings([make_posting("guid:1", source="zeta")])
    engine = make_engine(store_url)
    with engine.begin() as connection:  # what cross-source merging will do: a second sighting
        for source in ("alpha", "zeta"):
            connection.execute(
                insert(sightings).values(
                    source=source,
                    dedup_key=f"url:{source}",
                    listing_id=created.id,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
    engine.dispose()

    assert store.listings([created.id])[created.id].sources == ("alpha", "zeta")
    assert [listing.sources for listing in store.all_listings()] == [("alpha", "zeta")]


def test_job_details_round_trip_through_the_listings_table(
    store: Store, make_posting: PostingFactory, now: datetime
) -> None:
    job = JobDetails(
        remote="yes",
        employment_type="micro-internship",
        pay_min=25.0,
        pay_max=30.0,
        currency="USD",
        pay_period="hour",
        duration="2-4 weeks",
        duration_min_hours=80.0,
        duration_max_hours=160.0,
        deadline=now + timedelta(days=7),
    )
    with store.transaction() as unit:
        (created,) = unit.upsert_postings([make_posting(job=job)])

    assert created.job == job
    assert store.listings([created.id])[created.id].job == job
    assert store.all_listings()[0].job == job
