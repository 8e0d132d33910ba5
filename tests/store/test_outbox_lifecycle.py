"""Outbox lifecycle: lease tokens guard outcomes, per-URL progress, notices, retry and purge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aggregator.models import Listing, Match, OutboxStatus
from aggregator.store import Store

LEASE = timedelta(minutes=5)
Enqueue = Callable[..., int]


def test_an_outcome_from_a_claimer_whose_lease_ran_out_is_ignored(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (stale,) = store.claim_due(now=now, lease=LEASE)
    (fresh,) = store.claim_due(now=now + LEASE * 2, lease=LEASE)

    stale_recorded = store.mark_failed(stale, now=now, error="late", retry_at=None)
    fresh_recorded = store.mark_sent(fresh, now=now + LEASE * 2, message_id=fresh.key)

    assert (stale_recorded, fresh_recorded) == (False, True)
    (stored,) = store.outbox()
    assert (stored.status, stored.attempts, stored.last_error) == (OutboxStatus.SENT, 1, None)


def test_a_claim_hands_out_a_lease_token(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)

    (entry,) = store.claim_due(now=now, lease=LEASE)

    assert entry.lease_token is not None
    assert len(entry.lease_token) == 32


def test_a_delivery_after_a_failure_clears_the_last_error(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)
    store.mark_failed(entry, now=now, error="HTTP 500", retry_at=now)
    (again,) = store.claim_due(now=now, lease=LEASE)

    store.mark_sent(again, now=now, message_id="m1")

    (stored,) = store.outbox()
    assert (stored.status, stored.last_error, stored.message_id) == (OutboxStatus.SENT, None, "m1")


def test_urls_that_took_an_alert_are_remembered_across_failures(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)
    store.mark_failed(entry, now=now, error="x", retry_at=now, done_urls=frozenset({0}))
    (again,) = store.claim_due(now=now, lease=LEASE)
    store.mark_failed(again, now=now, error="y", retry_at=now, done_urls=frozenset({2}))

    (stored,) = store.outbox()

    assert stored.done_urls == frozenset({0, 2})


def test_a_deferred_row_waits_without_counting_an_attempt(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)
    later = now + timedelta(minutes=20)

    assert store.defer(entry, until=later) is True

    assert store.claim_due(now=later - timedelta(seconds=1), lease=LEASE) == []
    (again,) = store.claim_due(now=later, lease=LEASE)
    assert again.attempts == 0


def test_a_notice_is_queued_once_per_key_and_has_no_listing(store: Store, now: datetime) -> None:
    first = store.enqueue_notice(
        key="notice:a", channel="admin", text="Channel x is failing.", now=now
    )
    second = store.enqueue_notice(key="notice:a", channel="admin", text="again", now=now)

    (stored,) = store.outbox()
    assert (first, second) == (True, False)
    assert (stored.kind, stored.listing_id, stored.why) == ("notice", None, "Channel x is failing.")


def test_messages_sent_in_the_last_hour_count_a_digest_once(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(3)
    first, second, third = store.claim_due(now=now, lease=LEASE)
    store.mark_sent(first, now=now - timedelta(hours=2), message_id="old")
    store.mark_sent(second, now=now, message_id="digest-1")
    store.mark_sent(third, now=now, message_id="digest-1")

    assert store.sent_messages_since("me", now - timedelta(hours=1)) == 1
    assert store.sent_messages_since("other", now - timedelta(hours=1)) == 0


def test_retry_makes_dead_rows_due_again_with_a_fresh_schedule(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(2)
    dead, sent = store.claim_due(now=now, lease=LEASE)
    store.mark_failed(dead, now=now, error="gave up", retry_at=None)
    store.mark_sent(sent, now=now, message_id=sent.key)
    later = now + timedelta(days=1)

    assert store.retry_outbox(ids=None, now=later) == 1

    (again,) = store.claim_due(now=later, lease=LEASE)
    assert (again.id, again.attempts, again.status) == (dead.id, 0, OutboxStatus.PENDING)


def test_purge_deletes_old_sent_and_dead_rows_but_never_pending_ones(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(3)
    sent, dead, _pending = store.claim_due(now=now, lease=LEASE)
    store.mark_sent(sent, now=now, message_id=sent.key)
    store.mark_failed(dead, now=now, error="x", retry_at=None)

    purged = store.purge_outbox(statuses=list(OutboxStatus), before=now + timedelta(seconds=1))

    assert purged == 2
    assert [entry.status for entry in store.outbox()] == [OutboxStatus.PENDING]


def test_a_renewed_lease_lasts_from_the_renewal(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)

    assert store.renew(
        [entry], now=now + LEASE - timedelta(seconds=1), lease=LEASE, done_urls=frozenset({1})
    )

    assert store.claim_due(now=now + LEASE * 1.5, lease=LEASE) == []
    (again,) = store.claim_due(now=now + LEASE * 2, lease=LEASE)
    assert again.done_urls == frozenset({1})


def test_a_lease_lost_to_another_claimer_cannot_be_renewed(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (stale,) = store.claim_due(now=now, lease=LEASE)
    (fresh,) = store.claim_due(now=now + LEASE * 2, lease=LEASE)

    assert store.renew([stale], now=now + LEASE * 2, lease=LEASE) is False
    assert store.renew([fresh], now=now + LEASE * 2, lease=LEASE) is True


def test_renewing_several_rows_is_all_or_nothing(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(2)
    first, second = store.claim_due(now=now, lease=LEASE)
    store.mark_sent(second, now=now, message_id=second.key)  # no longer pending: lost to us

    assert store.renew([first, second], now=now, lease=LEASE * 4) is False
    (again,) = store.claim_due(now=now + LEASE * 2, lease=LEASE)
    assert again.id == first.id  # the first row's lease was not extended either


def test_a_released_row_is_claimable_at_once_without_counting_an_attempt(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)

    store.release([entry])

    (again,) = store.claim_due(now=now, lease=LEASE)
    assert (again.id, again.attempts) == (entry.id, 0)
    assert store.mark_sent(entry, now=now, message_id=entry.key) is False  # the old claim is over


def test_a_claim_of_one_rule_takes_only_that_rules_digest_rows(
    store: Store, make_listings: Callable[[int], list[Listing]], now: datetime
) -> None:
    first, second, third = make_listings(3)
    with store.transaction() as unit:
        items = [
            (Match(first.id, "weekly", "w"), "me"),
            (Match(second.id, "daily", "d"), "me"),
            (Match(third.id, "weekly", "w"), "me"),
        ]
        unit.enqueue(items, now=now, digest_at={"weekly": now, "daily": now})

    weekly = store.claim_due(now=now, lease=LEASE, kinds=["digest"], same_rule=True)
    daily = store.claim_due(now=now, lease=LEASE, kinds=["digest"], same_rule=True)

    assert [(e.rule, e.listing_id) for e in weekly] == [("weekly", first.id), ("weekly", third.id)]
    assert [(e.rule, e.listing_id) for e in daily] == [("daily", second.id)]
