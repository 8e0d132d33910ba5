"""Store.purge_pending: queued alerts by rule and source go; sent, dead, notices and rows
leased to a sender right now stay (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aggregator.models import Listing, Match, OutboxStatus
from aggregator.store import Store

LEASE = timedelta(minutes=5)


def test_pending_alerts_go_by_rule_and_source_but_leased_sent_and_notices_stay(
    store: Store, make_listings: Callable[[int], list[Listing]], now: datetime
) -> None:
    listings = make_listings(4)
    with store.transaction() as unit:
        rules = ["python", "python", "rust", "python"]
        items = [
            (Match(lst.id, rule, "why"), "me") for lst, rule in zip(listings, rules, strict=True)
        ]
        assert unit.enqueue(items, now=now) == 4
    store.enqueue_notice(key="notice:1", channel="me", text="a source is silent", now=now)
    (leased,) = store.claim_due(now=now, lease=LEASE, limit=1)  # the oldest: listing 0
    assert leased.listing_id == listings[0].id

    assert store.purge_pending(now=now, rule="python", dry_run=True) == 2
    assert store.purge_pending(now=now, source="elsewhere") == 0
    assert store.purge_pending(now=now, rule="python", source="board") == 2

    left = {(row.rule, row.listing_id) for row in store.outbox(status=OutboxStatus.PENDING)}
    assert left == {("python", listings[0].id), ("rust", listings[2].id), ("-", None)}
    # Once its lease has run out, the row is no longer on its way: it may go too.
    assert store.purge_pending(now=now + 2 * LEASE) == 2
    assert [row.kind for row in store.outbox()] == ["notice"]
