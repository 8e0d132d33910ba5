"""UnitOfWork: new-only posting upserts, idempotent matches and outbox, transaction scope."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from aggregator.errors import StoreError
from aggregator.models import Listing, Match, OutboxStatus, Posting
from aggregator.store import Store
from aggregator.store.engine import make_engine
from aggregator.store.tables import matches, sightings

PostingFactory = Callable[..., Posting]


def _rows(store_url: str, query: Select[Any]) -> list[tuple[Any, ...]]:
    engine = make_engine(store_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def test_upsert_returns_a_listing_for_each_new_posting(
    store: Store, make_posting: PostingFactory
) -> None:
    postings = [make_posting("guid:1"), make_posting("guid:2", source="other")]

    with store.transaction() as unit:
        created = unit.upsert_postings(postings)

    assert [(c.title, c.sources) for c in created] == [
        ("Job guid:1", ("board",)),
        ("Job guid:2", ("other",)),
    ]
    assert store.listings([c.id for c in created]) == {c.id: c for c in created}


def test_upsert_of_the_same_postings_again_returns_nothing_new(
    store: Store, make_posting: PostingFactory
) -> None:
    postings = [make_posting("guid:1"), make_posting("guid:2")]
    with store.transaction() as unit:
        unit.upsert_postings(postings)

    with store.transaction() as unit:
        again = unit.upsert_postings(postings)

    assert again == []
    assert len(store.all_listings()) == 2


def test_upsert_of_a_changed_title_with_the_same_dedup_key_is_not_new(
    store: Store, make_posting: PostingFactory
) -> None:
    with store.transaction() as unit:
        (original,) = unit.upsert_postings([make_posting("guid:1", title="Old title")])

    with store.transaction() as unit:
        again = unit.upsert_postings([make_posting("guid:1", title="New title")])

    assert again == []
    assert store.listings([original.id])[original.id].title == "Old title"


def test_upsert_counts_a_dedup_key_repeated_in_one_batch_once(
    store: Store, make_posting: PostingFactory
) -> None:
    batch = [
        make_posting("guid:1", title="first copy"),
        make_posting("guid:2"),
        make_posting("guid:1", title="second copy"),
    ]

    with store.transaction() as unit:
        created = unit.upsert_postings(batch)

    assert [c.title for c in created] == ["first copy", "Job guid:2"]
    assert len(store.all_listings()) == 2


def test_upsert_returns_new_listings_in_input_order(
    store: Store, make_posting: PostingFactory
) -> None:
    keys = ["guid:c", "guid:a", "guid:b"]

    with store.transaction() as unit:
        created = unit.upsert_postings([make_posting(key) for key in keys])

    assert [c.title for c in created] == [f"Job {key}" for key in keys]


def test_upsert_of_a_known_posting_moves_last_seen_forward_only(
    store: Store, store_url: str, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        unit.upsert_postings([make_posting("guid:1", first_seen_at=now)])
    with store.transaction() as unit:
        unit.upsert_postings([make_posting("guid:1", first_seen_at=now + timedelta(hours=2))])
    with store.transaction() as unit:
        unit.upsert_postings([make_posting("guid:1", first_seen_at=now + timedelta(hours=1))])

    query = select(sightings.c.first_seen_at, sightings.c.last_seen_at)
    assert _rows(store_url, query) == [(now, now + timedelta(hours=2))]


def test_upsert_of_the_same_key_on_two_sources_makes_two_listings(
    store: Store, make_posting: PostingFactory
) -> None:
    # Two different jobs that happen to share a guid: a key only means something on its source.
    postings = [
        make_posting("guid:1", source="a"),
        make_posting("guid:1", source="b", title="Another job"),
    ]

    with store.transaction() as unit:
        created = unit.upsert_postings(postings)

    assert sorted(c.sources for c in created) == [("a",), ("b",)]


def test_upsert_racing_a_concurrent_transaction_leaves_one_listing(
    store: Store, make_posting: PostingFactory
) -> None:
    posting = make_posting("guid:race")
    second_result: list[list[Listing]] = []

    def second_process() -> None:
        with store.transaction() as unit:
            second_result.append(unit.upsert_postings([posting]))

    with store.transaction() as unit:
        first_result = unit.upsert_postings([posting])
        racer = threading.Thread(target=second_process)
        racer.start()
        time.sleep(0.5)  # let the racer run into the uncommitted sighting and wait on it
    racer.join(timeout=30)

    assert len(first_result) == 1
    assert second_result == [[]]
    assert [listing.id for listing in store.all_listings()] == [first_result[0].id]


def test_transaction_with_rollback_writes_nothing(
    store: Store, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction(rollback=True) as unit:
        (listing,) = unit.upsert_postings([make_posting("guid:1")])
        unit.add_matches([Match(listing.id, "python", "why")])
        unit.enqueue([(Match(listing.id, "python", "why"), "me")], now=now)

    assert store.all_listings() == []
    assert store.outbox() == []


def test_transaction_rolls_back_when_the_block_raises(
    store: Store, make_posting: PostingFactory
) -> None:
    def fail_midway() -> None:
        with store.transaction() as unit:
            unit.upsert_postings([make_posting("guid:1")])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()

    assert store.all_listings() == []


def test_unit_of_work_refuses_use_after_its_transaction(
    store: Store, make_posting: PostingFactory
) -> None:
    with store.transaction() as unit:
        pass

    with pytest.raises(RuntimeError, match=r"outside its Store\.transaction"):
        unit.upsert_postings([make_posting("guid:1")])


def test_add_matches_is_idempotent_per_listing_and_rule(
    store: Store, store_url: str, make_listings: Callable[[int], list[Listing]]
) -> None:
    (listing,) = make_listings(1)
    first = [Match(listing.id, "python", "first"), Match(listing.id, "remote", "r")]

    with store.transaction() as unit:
        unit.add_matches(first)
        unit.add_matches([Match(listing.id, "python", "second"), first[0]])

    query = select(matches.c.rule, matches.c.why).order_by(matches.c.rule)
    assert _rows(store_url, query) == [("python", "first"), ("remote", "r")]


def test_add_matches_for_an_unknown_listing_is_refused(store: Store) -> None:
    with pytest.raises(StoreError) as refused, store.transaction() as unit:
        unit.add_matches([Match(999_999, "python", "why")])
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert str(refused.value).startswith("database error: ")


def test_enqueue_creates_one_pending_row_per_match_and_channel(
    store: Store, make_listings: Callable[[int], list[Listing]], now: datetime
) -> None:
    (listing,) = make_listings(1)
    match = Match(listing.id, "python", "title has python")

    with store.transaction() as unit:
        created = unit.enqueue([(match, "me"), (match, "team"), (match, "me")], now=now)

    entries = store.outbox()
    assert created == 2
    assert [(e.key, e.status, e.attempts) for e in entries] == [
        (f"{listing.id}:python:me", OutboxStatus.PENDING, 0),
        (f"{listing.id}:python:team", OutboxStatus.PENDING, 0),
    ]
    assert {(e.next_attempt_at, e.created_at, e.why) for e in entries} == {
        (now, now, "title has python")
    }


def test_enqueue_ignores_keys_already_queued(
    store: Store, make_listings: Callable[[int], list[Listing]], now: datetime
) -> None:
    (listing,) = make_listings(1)
    match = Match(listing.id, "python", "why")
    with store.transaction() as unit:
        unit.enqueue([(match, "me")], now=now)

    with store.transaction() as unit:
        again = unit.enqueue([(match, "me"), (match, "team")], now=now + timedelta(hours=1))

    assert again == 1
    assert [e.channel for e in store.outbox()] == ["me", "team"]


def test_enqueue_of_nothing_creates_nothing(store: Store, now: datetime) -> None:
    with store.transaction() as unit:
        assert unit.enqueue([], now=now) == 0
