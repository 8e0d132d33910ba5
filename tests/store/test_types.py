"""UTCDateTime: aware datetimes round-trip as UTC on every backend; naive ones are refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from aggregator.errors import StoreError
from aggregator.models import Posting, SourceState
from aggregator.store import Store

PostingFactory = Callable[..., Posting]
PLUS_FIVE = timezone(timedelta(hours=5, minutes=30))


def test_aware_datetimes_come_back_as_the_same_instant_in_utc(
    store: Store, make_posting: PostingFactory
) -> None:
    posted = datetime(2031, 6, 7, 8, 9, 10, 123456, tzinfo=PLUS_FIVE)
    with store.transaction() as unit:
        (created,) = unit.upsert_postings([make_posting("guid:1", posted_at=posted)])

    stored = store.listings([created.id])[created.id].posted_at

    assert stored == posted
    assert stored.tzinfo is UTC
    assert stored.isoformat() == "2031-06-07T02:39:10.123456+00:00"


def test_naive_datetimes_are_refused(store: Store, make_posting: PostingFactory) -> None:
    naive = datetime(2031, 6, 7, 8, 9, 10)

    with pytest.raises(StoreError, match="naive datetime") as refused, store.transaction() as unit:
        unit.upsert_postings([make_posting("guid:1", posted_at=naive)])
    assert isinstance(refused.value.__cause__, StatementError)

    assert store.all_listings() == []


def test_null_datetimes_stay_null(store: Store) -> None:
    store.save_source_state(SourceState(name="board"))

    assert store.source_states()["board"].last_success_at is None
