"""The `listings` command's store side: paged reads of listings with many sightings, and the
hand merge and split, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from aggregator.merge import Identity
from aggregator.models import Listing, Match
from aggregator.store import Store
from aggregator.store.listing_edits import HAND_MERGE, ListingEditError
from aggregator.store.listing_queries import ListingFilter
from aggregator.store.tables import (
    listing_keys,
    listings,
    matches,
    merge_overrides,
    outbox,
    sightings,
)
from tests.store.conftest import NOW, PostingFactory

EVERY = ListingFilter(statuses=None)


def _store_postings(
    store: Store, make_posting: PostingFactory, count: int, **kw: Any
) -> list[Listing]:
    """`count` listings, first seen one minute apart (listing 0 is the oldest)."""
    postings = [
        make_posting(f"guid:{number}", first_seen_at=NOW + timedelta(minutes=number), **kw)
        for number in range(count)
    ]
    with store.transaction() as unit:
        return unit.upsert_postings(postings)


def _sight(store: Store, listing_id: int, source: str, key: str, **values: Any) -> int:
    """Another sighting of a listing, written as the merge stage would."""
    row = {
        "source": source,
        "dedup_key": key,
        "external_id": key.removeprefix("guid:"),
        "url": f"https://{source}.example/{key}",
        "listing_id": listing_id,
        "first_seen_at": NOW + timedelta(hours=1),
        "last_seen_at": NOW + timedelta(hours=2),
        "merge_reason": f"same job on {source}",
    } | values
    with store.transaction() as unit:
        inserted: int = unit.connection.execute(
            insert(sightings).values(row).returning(sightings.c.id)
        ).scalar_one()
    return inserted


def _rows(store: Store, table: Any, **where: Any) -> list[Any]:
    with store.transaction() as unit:
        query = select(table).where(*(table.c[name] == value for name, value in where.items()))
        return list(unit.connection.execute(query.order_by(table.c[next(iter(table.c.keys()))])))


def test_listings_stream_newest_first_with_every_sighting(
    store: Store, make_posting: PostingFactory
) -> None:
    made = _store_postings(store, make_posting, 5)
    _sight(store, made[1].id, "mirror", "guid:m1")
    _sight(store, made[1].id, "social", "guid:s1", closed_at=NOW + timedelta(hours=3))
    found = list(store.iter_listings(EVERY, page=2))
    assert [item.listing.id for item in found] == [listing.id for listing in reversed(made)]
    merged = next(item for item in found if item.listing.id == made[1].id)
    assert [s.source for s in merged.sightings] == ["board", "mirror", "social"]
    assert merged.listing.sources == ("board", "mirror", "social")
    assert merged.sightings[0].merge_reason is None
    assert merged.sightings[1].merge_reason == "same job on mirror"
    assert merged.sightings[2].closed_at == NOW + timedelta(hours=3)
    assert merged.last_seen_at == NOW + timedelta(hours=2)
    assert all(len(item.sightings) == 1 for item in found if item is not merged)


def test_a_page_boundary_among_equal_first_seen_times_loses_and_repeats_nothing(
    store: Store, make_posting: PostingFactory
) -> None:
    postings = [make_posting(f"guid:{number}", first_seen_at=NOW) for number in range(7)]
    with store.transaction() as unit:
        made = unit.upsert_postings(postings)
    ids = [item.listing.id for item in store.iter_listings(EVERY, page=3)]
    assert ids == sorted((listing.id for listing in made), reverse=True)


def test_filters_by_status_source_and_first_seen(
    store: Store, make_posting: PostingFactory
) -> None:
    made = _store_postings(store, make_posting, 4)
    _sight(store, made[0].id, "mirror", "guid:m0")
    with store.transaction() as unit:
        unit.connection.execute(
            listings.update()
            .where(listings.c.id.in_([made[2].id, made[3].id]))
            .values(status="closed", closed_at=NOW)
        )
        unit.connection.execute(
            listings.update().where(listings.c.id == made[3].id).values(status="expired")
        )

    def ids(**selection: Any) -> list[int]:
        return sorted(item.listing.id for item in store.iter_listings(ListingFilter(**selection)))

    assert ids() == [made[0].id, made[1].id]  # open by default
    assert ids(statuses=("closed", "expired")) == [made[2].id, made[3].id]
    assert ids(statuses=None, source="mirror") == [made[0].id]
    assert ids(statuses=None, since=NOW + timedelta(minutes=2)) == [made[2].id, made[3].id]


def test_the_stream_reads_one_page_at_a_time(store: Store, make_posting: PostingFactory) -> None:
    _store_postings(store, make_posting, 2_500)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM listings" in statement:
            statements.append(statement)

    engine = store._engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        stream = store.iter_listings(EVERY, page=500)
        first = next(stream)
        assert len(statements) == 1  # the first page only, never the whole store
        assert "LIMIT" in statements[0]
        rest = list(stream)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert 1 + len(rest) == 2_500
    assert first.listing.id > rest[0].listing.id
    assert len(statements) == 6  # five full pages, and the empty one that ends the stream


def test_detail_has_the_sightings_and_the_matches(
    store: Store, make_posting: PostingFactory
) -> None:
    [made] = _store_postings(store, make_posting, 1)
    _sight(store, made.id, "mirror", "guid:m")
    with store.transaction() as unit:
        unit.add_matches([Match(made.id, "data", 'title has "data"')], now=NOW)
    detail = store.listing_detail(made.id)
    assert detail is not None
    assert [s.source for s in detail.stored.sightings] == ["board", "mirror"]
    assert [(m.rule, m.why) for m in detail.matches] == [("data", 'title has "data"')]
    assert store.listing_detail(made.id + 100) is None


def _queue(store: Store, listing_id: int, rule: str, channel: str, now: datetime = NOW) -> None:
    with store.transaction() as unit:
        unit.add_matches([Match(listing_id, rule, f"why {rule}")], now=now)
        unit.enqueue([(Match(listing_id, rule, f"why {rule}"), channel)], now=now)


def test_merge_moves_sightings_matches_alerts_keys_and_deletes_the_other(
    store: Store, make_posting: PostingFactory
) -> None:
    keep, remove, later = _store_postings(store, make_posting, 3)
    _sight(store, remove.id, "mirror", "guid:m")
    _queue(store, keep.id, "data", "me")
    _queue(store, remove.id, "data", "me")  # the same alert twice: dropped
    _queue(store, remove.id, "data", "team")  # only the removed one has it: moved
    _queue(store, remove.id, "python", "me")
    with store.transaction() as unit:
        connection = unit.connection
        connection.execute(insert(listing_keys), [
            {"key": "ct:acme|job", "listing_id": keep.id},
            {"key": "ct:acme|job", "listing_id": remove.id},
            {"key": "ats:greenhouse:acme:1", "listing_id": remove.id},
        ])  # fmt: skip
        connection.execute(
            listings.update().where(listings.c.id == later.id).values(reposted_from=remove.id)
        )
        connection.execute(
            listings.update().where(listings.c.id == remove.id).values(pay_min=40, pay_max=50)
        )
    keys_before = {
        row.key
        for listing_id in (keep.id, remove.id)
        for row in _rows(store, listing_keys, listing_id=listing_id)
    }
    assert {"ct:acme|job", "ats:greenhouse:acme:1"} <= keys_before
    done = store.merge_listings(keep.id, remove.id)
    assert (done.sightings, done.matches, done.outbox_moved, done.outbox_dropped) == (2, 1, 2, 1)
    assert store.listing_detail(remove.id) is None
    detail = store.listing_detail(keep.id)
    assert detail is not None
    assert len(detail.stored.sightings) == 3
    moved = [s for s in detail.stored.sightings if s.merge_reason]
    assert {s.dedup_key for s in moved} == {"guid:1", "guid:m"}
    assert all(s.merge_reason.startswith(HAND_MERGE) for s in moved)  # type: ignore[union-attr]
    assert sorted(m.rule for m in detail.matches) == ["data", "python"]
    alerts = {(row.rule, row.channel): row.key for row in _rows(store, outbox, listing_id=keep.id)}
    assert alerts == {
        ("data", "me"): f"{keep.id}:data:me",
        ("data", "team"): f"{keep.id}:data:team",
        ("python", "me"): f"{keep.id}:python:me",
    }
    # The kept listing has every key of both (its own, written by the upsert, and the other's).
    assert {row.key for row in _rows(store, listing_keys, listing_id=keep.id)} == keys_before
    assert _rows(store, listings, id=later.id)[0].reposted_from == keep.id
    assert detail.stored.listing.job.pay_min == 40  # pay where only the removed one stated it
    assert detail.stored.listing.first_seen_at == NOW


def test_merge_refuses_unknown_ids_and_a_listing_with_itself(
    store: Store, make_posting: PostingFactory
) -> None:
    [made] = _store_postings(store, make_posting, 1)
    with pytest.raises(ListingEditError, match=f"no listing {made.id + 1}"):
        store.merge_listings(made.id, made.id + 1)
    with pytest.raises(ListingEditError, match="itself"):
        store.merge_listings(made.id, made.id)
    assert store.listing_detail(made.id) is not None


def test_split_moves_the_sighting_out_and_records_that_they_stay_apart(
    store: Store, make_posting: PostingFactory
) -> None:
    [made] = _store_postings(store, make_posting, 1)
    identity = Identity(
        ats_ids=("greenhouse:acme:7",), company="acme", title="job", seniority=None,
        team=None, location=None, posted_at=NOW,  text=(),
    )  # fmt: skip
    other = _sight(store, made.id, "mirror", "guid:m", identity=identity.to_json())
    _queue(store, made.id, "data", "me")
    done = store.split_listing(made.id, other, now=NOW)
    assert done.listing_id == made.id
    assert done.sighting.source == "mirror"
    new = store.listing_detail(done.new_id)
    old = store.listing_detail(made.id)
    assert new is not None
    assert old is not None
    assert [s.id for s in new.stored.sightings] == [other]
    assert new.stored.sightings[0].merge_reason is None  # it made the new listing
    assert new.stored.listing.url == "https://mirror.example/guid:m"
    assert new.stored.listing.title == made.title
    assert [m.rule for m in new.matches] == ["data"]  # the user heard of it already
    assert [s.source for s in old.stored.sightings] == ["board"]
    [override] = _rows(store, merge_overrides)
    assert (override.kind, override.source, override.dedup_key, override.listing_id) == (
        "apart",
        "mirror",
        "guid:m",
        made.id,
    )
    assert _rows(store, outbox, listing_id=done.new_id) == []
    keys = {row.key for row in _rows(store, listing_keys, listing_id=done.new_id)}
    assert keys == set(identity.keys())


def test_split_refuses_what_does_not_fit(store: Store, make_posting: PostingFactory) -> None:
    first, second = _store_postings(store, make_posting, 2)
    [alone] = _rows(store, sightings, listing_id=second.id)
    with pytest.raises(ListingEditError, match="no other sighting"):
        store.split_listing(second.id, alone.id, now=NOW)
    with pytest.raises(ListingEditError, match=f"of listing {second.id}, not of {first.id}"):
        store.split_listing(first.id, alone.id, now=NOW)
    with pytest.raises(ListingEditError, match="no sighting 999"):
        store.split_listing(first.id, 999, now=NOW)
    with pytest.raises(ListingEditError, match="no listing 999"):
        store.split_listing(999, alone.id, now=NOW)
    with store.transaction() as unit:
        assert unit.connection.execute(select(func.count()).select_from(listings)).scalar() == 2


def test_a_hand_merge_overrules_an_earlier_split_of_the_same_pair(
    store: Store, make_posting: PostingFactory
) -> None:
    [made] = _store_postings(store, make_posting, 1)
    other = _sight(store, made.id, "mirror", "guid:m")
    done = store.split_listing(made.id, other, now=NOW)
    assert len(_rows(store, merge_overrides)) == 1
    store.merge_listings(made.id, done.new_id)
    assert _rows(store, merge_overrides) == []
    detail = store.listing_detail(made.id)
    assert detail is not None
    assert len(detail.stored.sightings) == 2
    assert _rows(store, matches) == []
