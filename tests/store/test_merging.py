"""Cross-source merging in upsert_postings: sightings of one job on several boards, in one batch
or across batches, kept apart by overrides, reposts, and the listing's best fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, insert, select

from aggregator.merge import Identity
from aggregator.models import JobDetails, Posting
from aggregator.store import Store
from aggregator.store.engine import make_engine
from aggregator.store.tables import listing_keys, merge_overrides, sightings

PostingFactory = Callable[..., Posting]


def _rows(store_url: str, query: Select[Any]) -> list[tuple[Any, ...]]:
    engine = make_engine(store_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def _job(make_posting: PostingFactory, source: str, key: str, **overrides: Any) -> Posting:
    """The same job (title, company, place) as another board shows it."""
    values: dict[str, Any] = {
        "source": source,
        "url": f"https://{source}.example/{key}",
        "title": "Data Analyst",
        "company": "Acme",
        "location": "Berlin",
    }
    return make_posting(key, **values | overrides)


def test_the_same_job_on_a_second_board_joins_its_listing(
    store: Store, store_url: str, make_posting: PostingFactory
) -> None:
    with store.transaction() as unit:
        [first] = unit.upsert_postings([_job(make_posting, "board-a", "guid:1")])
    with store.transaction() as unit:
        again = unit.upsert_postings([_job(make_posting, "board-b", "guid:9")])
        joined = list(unit.joined)

    assert again == []  # nothing new: no alert for the second board
    assert [listing.id for listing in joined] == [first.id]
    [listing] = store.all_listings()
    assert listing.sources == ("board-a", "board-b")
    found = _rows(
        store_url,
        select(sightings.c.source, sightings.c.url, sightings.c.merge_reason).order_by(
            sightings.c.id
        ),
    )
    assert found == [
        ("board-a", "https://board-a.example/guid:1", None),
        ("board-b", "https://board-b.example/guid:9", "title+company+place"),
    ]


def test_each_sighting_keeps_its_identity_and_the_listing_its_keys(
    store: Store, store_url: str, make_posting: PostingFactory
) -> None:
    with store.transaction() as unit:
        [created] = unit.upsert_postings([_job(make_posting, "board-a", "guid:1")])

    [(data,)] = _rows(store_url, select(sightings.c.identity))
    identity = Identity.from_json(data)
    keys = _rows(store_url, select(listing_keys.c.key, listing_keys.c.listing_id))
    assert keys
    assert {key for key, _ in keys} == set(identity.keys())
    assert {listing_id for _, listing_id in keys} == {created.id}


def test_two_boards_in_one_batch_make_one_listing(
    store: Store, make_posting: PostingFactory
) -> None:
    postings = [
        _job(make_posting, "board-b", "guid:2"),
        _job(make_posting, "board-a", "guid:1"),
        make_posting("guid:3", source="board-a"),  # another job
    ]
    with store.transaction() as unit:
        created = unit.upsert_postings(postings)

    # One listing for the job, created by the first posting in input order, with both boards.
    assert [(c.title, c.sources) for c in created] == [
        ("Data Analyst", ("board-a", "board-b")),
        ("Job guid:3", ("board-a",)),
    ]
    assert len(store.all_listings()) == 2


def test_two_entries_of_one_fetch_for_the_same_job_merge(
    store: Store, make_posting: PostingFactory
) -> None:
    postings = [_job(make_posting, "board", "guid:1"), _job(make_posting, "board", "guid:2")]
    with store.transaction() as unit:
        created = unit.upsert_postings(postings)

    assert len(created) == 1
    assert len(store.all_listings()) == 1


def test_different_places_stay_two_listings(store: Store, make_posting: PostingFactory) -> None:
    postings = [
        _job(make_posting, "board-a", "guid:1"),
        _job(make_posting, "board-b", "guid:2", location="Lisbon"),
    ]
    with store.transaction() as unit:
        created = unit.upsert_postings(postings)

    assert len(created) == 2


def test_an_override_keeps_a_posting_apart_from_a_listing(
    store: Store, store_url: str, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        [first] = unit.upsert_postings([_job(make_posting, "board-a", "guid:1")])
        unit.connection.execute(
            insert(merge_overrides).values(
                kind="apart",
                source="board-b",
                dedup_key="guid:9",
                listing_id=first.id,
                created_at=now,
            )
        )
    with store.transaction() as unit:
        created = unit.upsert_postings([_job(make_posting, "board-b", "guid:9")])
        other = unit.upsert_postings([_job(make_posting, "board-c", "guid:5")])

    assert len(created) == 1
    assert created[0].id != first.id
    assert other == []  # a third board still merges (with one of the two)
    assert len(store.all_listings()) == 2


def test_a_repost_is_a_new_listing_that_names_the_old_one(
    store: Store, make_posting: PostingFactory, monkeypatch: Any
) -> None:
    from aggregator.merge import Verdict
    from aggregator.store import merging

    # The merge stage decides what a repost is; here every candidate is one.
    monkeypatch.setattr(merging, "compare", lambda new, old: Verdict(False, "repost", True))
    with store.transaction() as unit:
        [old] = unit.upsert_postings([_job(make_posting, "board-a", "guid:1")])
    with store.transaction() as unit:
        [new] = unit.upsert_postings([_job(make_posting, "board-a", "guid:2")])

    assert new.id != old.id
    assert new.reposted_from == old.id
    assert store.listings([new.id])[new.id].reposted_from == old.id


def test_the_company_board_gives_the_listing_its_fields_and_pay_comes_from_any_board(
    store: Store, make_posting: PostingFactory
) -> None:
    paid = JobDetails(pay_min=30.0, pay_max=40.0, currency="EUR", pay_period="hour")
    aggregator_copy = _job(
        make_posting, "board", "guid:1", description="A long aggregator text. " * 10, job=paid
    )
    ats_copy = _job(
        make_posting,
        "acme-ats",
        "guid:7",
        description="The company's own text.",
        url="https://jobs.acme.example/7",
    )
    with store.transaction() as unit:
        [listing] = unit.upsert_postings([aggregator_copy])
    with store.transaction() as unit:
        unit.upsert_postings([ats_copy], origins={"acme-ats": "ats"})

    merged = store.listings([listing.id])[listing.id]
    assert merged.url == "https://jobs.acme.example/7"
    assert merged.description == "The company's own text."
    assert (merged.job.pay_min, merged.job.pay_max, merged.job.currency) == (30.0, 40.0, "EUR")
    assert merged.sources == ("acme-ats", "board")


def test_a_longer_description_from_another_board_replaces_a_short_one(
    store: Store, make_posting: PostingFactory
) -> None:
    with store.transaction() as unit:
        [listing] = unit.upsert_postings(
            [_job(make_posting, "board-a", "guid:1", description="Short.")]
        )
    with store.transaction() as unit:
        unit.upsert_postings(
            [_job(make_posting, "board-b", "guid:2", description="A much longer text.")]
        )
    with store.transaction() as unit:  # a shorter one later does not undo it
        unit.upsert_postings([_job(make_posting, "board-c", "guid:3", description="Tiny")])

    assert store.listings([listing.id])[listing.id].description == "A much longer text."


def test_a_later_board_cannot_push_the_company_board_aside(
    store: Store, make_posting: PostingFactory
) -> None:
    with store.transaction() as unit:
        [listing] = unit.upsert_postings(
            [_job(make_posting, "acme-ats", "guid:1", description="Ours.")],
            origins={"acme-ats": "ats"},
        )
    with store.transaction() as unit:
        unit.upsert_postings([_job(make_posting, "board", "guid:2", description="Theirs " * 20)])

    assert store.listings([listing.id])[listing.id].description == "Ours."


def test_the_listing_keeps_its_earliest_posting_date(
    store: Store, make_posting: PostingFactory, now: datetime
) -> None:
    with store.transaction() as unit:
        [listing] = unit.upsert_postings(
            [_job(make_posting, "board-a", "guid:1", posted_at=now - timedelta(days=1))]
        )
    with store.transaction() as unit:
        unit.upsert_postings(
            [_job(make_posting, "board-b", "guid:2", posted_at=now - timedelta(days=3))]
        )

    assert store.listings([listing.id])[listing.id].posted_at == now - timedelta(days=3)


def test_a_weak_key_shared_by_many_listings_compares_only_a_few(
    store: Store, make_posting: PostingFactory, monkeypatch: Any
) -> None:
    from aggregator.store import merging

    # Thirty listings of one title and company, each in another place: one blocking key.
    postings = [_job(make_posting, "board-a", f"guid:{n}", location=f"Town {n}") for n in range(30)]
    with store.transaction() as unit:
        unit.upsert_postings(postings)
    calls: list[int] = []
    real = merging.compare

    def counting(new: Identity, old: Identity) -> Any:
        calls.append(1)
        return real(new, old)

    monkeypatch.setattr(merging, "compare", counting)
    with store.transaction() as unit:
        unit.upsert_postings([_job(make_posting, "board-b", "guid:x", location="Elsewhere")])

    assert 0 < len(calls) <= merging.MAX_LISTINGS_PER_KEY
