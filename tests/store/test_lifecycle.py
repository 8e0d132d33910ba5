"""Listing lifecycle: sightings closed when a whole-board source stops listing them, reopened
when it lists them again; listings closed when every sighting is, expired past the deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from aggregator.models import JobDetails, Posting
from aggregator.store import Store
from aggregator.store.engine import make_engine
from aggregator.store.tables import sightings

PostingFactory = Callable[..., Posting]


def _closed(store_url: str) -> dict[tuple[str, str], datetime | None]:
    engine = make_engine(store_url)
    try:
        with engine.connect() as connection:
            query = select(sightings.c.source, sightings.c.dedup_key, sightings.c.closed_at)
            return {(row.source, row.dedup_key): row.closed_at for row in connection.execute(query)}
    finally:
        engine.dispose()


def test_a_posting_gone_from_its_board_closes_its_sighting_and_listing(
    store: Store, store_url: str, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        first, second = unit.upsert_postings([make_posting("guid:1"), make_posting("guid:2")])
    later = now + timedelta(hours=2)
    with store.transaction() as unit:
        closed = unit.close_unseen("board", {"guid:2"}, now=later)

    assert closed == 1
    assert _closed(store_url) == {("board", "guid:1"): later, ("board", "guid:2"): None}
    found = store.listings([first.id, second.id])
    assert (found[first.id].status, found[first.id].closed_at) == ("closed", later)
    assert (found[second.id].status, found[second.id].closed_at) == ("open", None)


def test_other_sources_are_not_closed(
    store: Store, store_url: str, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        unit.upsert_postings([make_posting("guid:1", source="feed")])
    with store.transaction() as unit:
        assert unit.close_unseen("board", set(), now=now) == 0

    assert _closed(store_url) == {("feed", "guid:1"): None}


def test_a_listing_stays_open_while_another_board_still_lists_it(
    store: Store, make_posting: PostingFactory, now: datetime
) -> None:
    job: dict[str, Any] = {"title": "Data Analyst", "company": "Acme", "location": "Berlin"}
    with store.transaction() as unit:
        [listing] = unit.upsert_postings(
            [make_posting("guid:1", source="a", **job), make_posting("guid:2", source="b", **job)]
        )
    with store.transaction() as unit:
        unit.close_unseen("a", set(), now=now)
    assert store.listings([listing.id])[listing.id].status == "open"

    with store.transaction() as unit:
        unit.close_unseen("b", set(), now=now + timedelta(hours=1))
    closed = store.listings([listing.id])[listing.id]
    assert (closed.status, closed.closed_at) == ("closed", now + timedelta(hours=1))


def test_a_posting_seen_again_reopens(
    store: Store, store_url: str, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        [listing] = unit.upsert_postings([make_posting("guid:1")])
    with store.transaction() as unit:
        unit.close_unseen("board", set(), now=now)
    assert store.listings([listing.id])[listing.id].status == "closed"

    later = make_posting("guid:1", first_seen_at=now + timedelta(hours=3))
    with store.transaction() as unit:
        assert unit.upsert_postings([later]) == []  # seen again: no new listing, no alert

    assert _closed(store_url) == {("board", "guid:1"): None}
    reopened = store.listings([listing.id])[listing.id]
    assert (reopened.status, reopened.closed_at) == ("open", None)


def test_close_unseen_reopens_what_it_lists_again(
    store: Store, store_url: str, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        [listing] = unit.upsert_postings([make_posting("guid:1")])
        unit.close_unseen("board", set(), now=now)
        unit.close_unseen("board", {"guid:1"}, now=now)

    assert store.listings([listing.id])[listing.id].status == "open"


def test_a_listing_past_its_deadline_expires(
    store: Store, make_posting: PostingFactory, now: datetime
) -> None:
    deadline = now + timedelta(days=1)
    with store.transaction() as unit:
        [listing] = unit.upsert_postings(
            [make_posting("guid:1", job=JobDetails(deadline=deadline))]
        )
    assert listing.status == "open"

    with store.transaction() as unit:
        assert unit.expire_overdue(now=now) == 0
        assert unit.expire_overdue(now=now + timedelta(days=2)) == 1

    expired = store.listings([listing.id])[listing.id]
    assert (expired.status, expired.closed_at) == ("expired", deadline)


def test_a_posting_whose_deadline_has_passed_is_stored_expired(
    store: Store, make_posting: PostingFactory, now: datetime
) -> None:
    past = make_posting("guid:1", job=JobDetails(deadline=now - timedelta(days=1)))
    with store.transaction() as unit:
        [listing] = unit.upsert_postings([past])

    assert listing.status == "expired"
    assert store.listings([listing.id])[listing.id].status == "expired"
