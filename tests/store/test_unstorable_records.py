"""A record the database cannot take is skipped with a note; the rest of the batch is stored."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest

from aggregator.models import JobDetails, Posting
from aggregator.store import Store

PostingFactory = Callable[..., Posting]


@pytest.mark.parametrize(
    "bad",
    [
        {"title": "lone \ud800 surrogate"},
        {"company": "nul \x00 byte"},
        {"tags": ("ok", "bad\udfff")},
        {"dedup_key": "guid:\ud800"},
        {"job": JobDetails(duration="2 \ud800 weeks")},
        # Past PostgreSQL's btree limit for the unique (source, dedup_key) index.
        {"dedup_key": "url:https://x.test/?" + secrets.token_hex(2000)},
    ],
    ids=["title", "company", "tag", "key", "job", "huge-key"],
)
def test_one_unstorable_posting_is_skipped_with_a_note_and_the_others_are_stored(
    store: Store, make_posting: PostingFactory, bad: dict[str, object]
) -> None:
    postings = [
        make_posting("guid:1"),
        make_posting(**({"dedup_key": "guid:bad"} | bad)),
        make_posting("guid:3"),
    ]
    with store.transaction() as unit:
        created = unit.upsert_postings(postings)
        skipped = unit.skipped

    assert [listing.title for listing in created] == ["Job guid:1", "Job guid:3"]
    assert len(skipped) == 1
    assert skipped[0].dedup_key == postings[1].dedup_key
    assert len(skipped[0].reason) < 200
    assert "\n" not in skipped[0].reason
    assert sorted(listing.title for listing in store.all_listings()) == ["Job guid:1", "Job guid:3"]

    with store.transaction() as unit:  # nothing half-written blocks the next run
        assert unit.upsert_postings(postings[:1]) == []


def test_a_value_the_database_itself_refuses_skips_that_posting_only(
    store: Store, store_url: str, make_posting: PostingFactory
) -> None:
    # currency is a VARCHAR(8): PostgreSQL refuses a longer value, SQLite stores it as it is.
    odd = make_posting("guid:odd", job=JobDetails(currency="X" * 100))
    postings = [make_posting("guid:1"), odd, make_posting("guid:3")]
    with store.transaction() as unit:
        created = unit.upsert_postings(postings)
        skipped = unit.skipped

    stored = sorted(listing.title for listing in store.all_listings())
    if store_url.startswith("postgresql"):
        assert [listing.title for listing in created] == ["Job guid:1", "Job guid:3"]
        assert [s.dedup_key for s in skipped] == ["guid:odd"]
        assert skipped[0].reason.startswith("database error: value too long")
        assert "X" * 20 not in skipped[0].reason  # never the values
        assert stored == ["Job guid:1", "Job guid:3"]
    else:
        assert skipped == []
        assert stored == ["Job guid:1", "Job guid:3", "Job guid:odd"]
