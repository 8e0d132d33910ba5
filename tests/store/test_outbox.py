"""Outbox delivery: leased claims that no two workers share, and sent/failed/dead outcomes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from aggregator.models import OutboxEntry, OutboxStatus
from aggregator.store import Store

LEASE = timedelta(minutes=5)
Enqueue = Callable[..., int]


def _ids(entries: list[OutboxEntry]) -> list[int]:
    return [entry.id for entry in entries]


def test_claim_due_returns_due_rows_oldest_first(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(3)

    claimed = store.claim_due(now=now, lease=LEASE)

    assert _ids(claimed) == _ids(store.outbox())
    assert _ids(claimed) == sorted(_ids(claimed))
    assert len(claimed) == 3


def test_claim_due_skips_rows_not_yet_due(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1, now=now + timedelta(minutes=1))

    assert store.claim_due(now=now, lease=LEASE) == []
    assert len(store.claim_due(now=now + timedelta(minutes=1), lease=LEASE)) == 1


def test_claim_due_never_returns_a_row_twice_while_it_is_leased(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(2)
    first = store.claim_due(now=now, lease=LEASE)

    during_lease = store.claim_due(now=now + LEASE - timedelta(seconds=1), lease=LEASE)

    assert len(first) == 2
    assert during_lease == []


def test_claim_due_returns_a_row_again_after_its_lease_expires(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(2)
    first = store.claim_due(now=now, lease=LEASE)

    after_lease = store.claim_due(now=now + LEASE + timedelta(seconds=1), lease=LEASE)

    assert _ids(after_lease) == _ids(first)


def test_claim_due_honours_the_limit(store: Store, enqueue_alerts: Enqueue, now: datetime) -> None:
    enqueue_alerts(5)

    first = store.claim_due(now=now, lease=LEASE, limit=2)
    second = store.claim_due(now=now, lease=LEASE, limit=2)

    assert _ids(first) + _ids(second) == _ids(store.outbox())[:4]


def test_claim_due_only_returns_the_requested_channels(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(2, channel="email")
    enqueue_alerts(1, channel="chat")

    chat = store.claim_due(now=now, lease=LEASE, channels=["chat"])
    nothing = store.claim_due(now=now, lease=LEASE, channels=[])

    assert [entry.channel for entry in chat] == ["chat"]
    assert nothing == []


def test_mark_sent_records_the_delivery_and_ends_the_lease(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)
    sent_at = now + timedelta(seconds=3)

    store.mark_sent(entry, now=sent_at, message_id=entry.key)

    (stored,) = store.outbox()
    assert (stored.status, stored.sent_at, stored.attempts) == (OutboxStatus.SENT, sent_at, 1)
    assert store.claim_due(now=now + LEASE * 2, lease=LEASE) == []


def test_mark_sent_alone_records_a_batch_but_not_a_row_claimed_again_by_another(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(3)
    batch = store.claim_due(now=now, lease=LEASE)
    later = now + LEASE + timedelta(seconds=1)  # the lease ran out; another claims the last row
    (taken,) = store.claim_due(now=later, lease=LEASE, limit=1)
    assert taken.id == batch[0].id

    recorded = store.mark_sent_alone(batch, now=later)

    assert recorded == {entry.id for entry in batch[1:]}
    rows = {entry.id: entry for entry in store.outbox(status=None)}
    assert rows[taken.id].status == OutboxStatus.PENDING
    assert rows[taken.id].lease_token == taken.lease_token
    for entry in batch[1:]:
        assert (rows[entry.id].status, rows[entry.id].message_id) == (OutboxStatus.SENT, entry.key)
        assert rows[entry.id].attempts == 1


def test_mark_failed_with_a_retry_time_reschedules_the_row(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)
    retry_at = now + timedelta(minutes=1)

    store.mark_failed(entry, now=now, error="HTTP 502", retry_at=retry_at)

    (stored,) = store.outbox()
    assert (stored.status, stored.attempts, stored.last_error) == (
        OutboxStatus.PENDING,
        1,
        "HTTP 502",
    )
    assert stored.next_attempt_at == retry_at
    assert store.claim_due(now=retry_at - timedelta(seconds=1), lease=LEASE) == []
    assert _ids(store.claim_due(now=retry_at, lease=LEASE)) == [entry.id]


def test_mark_failed_without_a_retry_time_marks_the_row_dead(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)

    store.mark_failed(entry, now=now, error="bad URL", retry_at=None)

    (stored,) = store.outbox(status=OutboxStatus.DEAD)
    assert (stored.id, stored.attempts, stored.last_error) == (entry.id, 1, "bad URL")
    assert store.outbox(status=OutboxStatus.PENDING) == []
    assert store.claim_due(now=now + timedelta(days=1), lease=LEASE) == []


def test_attempts_accumulate_over_failures(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    for attempt in range(3):
        (entry,) = store.claim_due(now=now + timedelta(minutes=attempt), lease=LEASE)
        retry_at = now + timedelta(minutes=attempt + 1)
        store.mark_failed(entry, now=now, error=f"try {attempt}", retry_at=retry_at)

    (stored,) = store.outbox()
    assert (stored.attempts, stored.last_error) == (3, "try 2")


def test_mark_sent_leaves_a_dead_row_dead(
    store: Store, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(1)
    (entry,) = store.claim_due(now=now, lease=LEASE)
    store.mark_failed(entry, now=now, error="gave up", retry_at=None)

    store.mark_sent(entry, now=now, message_id=entry.key)

    assert [e.status for e in store.outbox()] == [OutboxStatus.DEAD]


def test_outbox_filters_by_status(store: Store, enqueue_alerts: Enqueue, now: datetime) -> None:
    enqueue_alerts(2)
    first, second = store.claim_due(now=now, lease=LEASE)
    store.mark_sent(first, now=now, message_id=first.key)

    assert _ids(store.outbox(status=OutboxStatus.SENT)) == [first.id]
    assert _ids(store.outbox(status=OutboxStatus.PENDING)) == [second.id]
    assert _ids(store.outbox()) == [first.id, second.id]


def test_threads_claiming_at_once_never_get_the_same_row(
    store: Store, store_url: str, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(60)
    workers = 4
    start = threading.Barrier(workers)
    claimed: list[list[int]] = [[] for _ in range(workers)]
    # Each its own engine, connections and holder, like another process; disposed of only at
    # the end, since a disposed store's leases are free at once.
    stores = [Store(store_url) for _ in range(workers)]

    def work(index: int) -> None:
        start.wait()
        while batch := stores[index].claim_due(now=now, lease=LEASE, limit=3):
            claimed[index] += _ids(batch)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for own in stores:
        own.dispose()

    every_claim = [row for rows in claimed for row in rows]
    assert sorted(every_claim) == _ids(store.outbox())
    assert len(every_claim) == len(set(every_claim)) == 60


WORKER = """
import json, sys
from datetime import datetime, timedelta
from aggregator.store import Store

store = Store(sys.argv[1])
now = datetime.fromisoformat(sys.argv[2])
assert store.schema_is_current()  # connect before the start signal
print("ready", flush=True)
sys.stdin.readline()
claimed = []
while batch := store.claim_due(now=now, lease=timedelta(minutes=5), limit=2):
    claimed += [entry.id for entry in batch]
print(json.dumps(claimed), flush=True)
"""


def test_processes_claiming_at_once_never_get_the_same_row(
    store: Store, store_url: str, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(40)
    command = [sys.executable, "-c", WORKER, store_url, now.isoformat()]
    popen = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for process in popen:  # wait until every worker has imported and connected
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    for process in popen:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=60)[0] for process in popen]

    every_claim = [row for output in outputs for row in json.loads(output)]
    assert [process.returncode for process in popen] == [0, 0, 0]
    assert sorted(every_claim) == _ids(store.outbox())
    assert len(every_claim) == len(set(every_claim)) == 40


CLAIMER = """
import json, sys
from datetime import datetime, timedelta
from aggregator.store import Store

store = Store(sys.argv[1])
claimed = store.claim_due(now=datetime.fromisoformat(sys.argv[2]), lease=timedelta(minutes=5))
print(json.dumps([entry.id for entry in claimed]), flush=True)
sys.stdin.readline()
"""


def test_rows_leased_by_a_killed_process_are_claimable_at_once(
    store: Store, store_url: str, enqueue_alerts: Enqueue, now: datetime
) -> None:
    enqueue_alerts(3)
    command = [sys.executable, "-c", CLAIMER, store_url, now.isoformat()]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        claimed_there = json.loads(process.stdout.readline())
        assert len(claimed_there) == 3
        assert store.claim_due(now=now, lease=LEASE) == []  # leased to a live process

        process.kill()  # SIGKILL with five minutes of lease left
        process.wait(timeout=30)

    # PostgreSQL drops a dead session's locks once it notices the closed connection: ms.
    deadline = time.monotonic() + 5
    while not (claimed_here := store.claim_due(now=now, lease=LEASE)):
        assert time.monotonic() < deadline, "the dead process's leases were not taken over"
        time.sleep(0.01)
    assert _ids(claimed_here) == claimed_there
