"""An outage: the sink answers 500 for 50 minutes of a test clock, then recovers."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from aggregator.fetch.client import HttpClient
from aggregator.models import OutboxStatus
from aggregator.notify import RETRY_SCHEDULE
from aggregator.pipeline.cycle import Pipeline
from aggregator.store import Store
from tests.notify.support import Clock, config_for
from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import FeedServer, rss

STEP = timedelta(seconds=5)
# The fifth attempt comes 42.5 min ± 10 % in, the sixth after 2 h more: 50 min lies between.
OUTAGE = timedelta(minutes=50)


def test_after_an_outage_every_alert_arrives_once_and_attempts_follow_the_schedule(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    clock = Clock()
    start = clock.now
    attempts: dict[str, list[tuple[datetime, int]]] = defaultdict(list)

    def sink(seen: Seen) -> Reply:
        status = 500 if clock.now < start + OUTAGE else 200
        attempts[seen.headers["idempotency-key"]].append((clock.now, status))
        return Reply(status=status, body=b"{}")

    server.route("/hook", sink)
    items = [
        {"title": f"Data job {n}", "link": f"http://x.test/{n}", "guid": str(n)} for n in (1, 2, 3)
    ]
    feed = feed_server.serve("/f.xml", rss(items))
    config = config_for(tmp_path / "a.db", feed, {"me": f"json://127.0.0.1:{server.port}/hook"})
    store = Store(config.database)
    store.upgrade()

    async def fetch_once() -> Pipeline:
        async with HttpClient(config.http) as client:
            pipeline = Pipeline(config, store, client, clock=clock)
            await pipeline.run_sources(pipeline.due_sources(include_all=True))
        return pipeline

    pipeline = asyncio.run(fetch_once())
    while clock.now < start + timedelta(hours=3):
        pipeline.deliver()
        clock.now += STEP

    assert len(attempts) == 3
    for key, tries in attempts.items():
        statuses = [status for _, status in tries]
        assert statuses.count(200) == 1, key
        assert statuses[-1] == 200
        gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(tries)]
        assert len(gaps) == 5  # four failures before the outage ended, then the delivery
        for gap, planned in zip(gaps, RETRY_SCHEDULE, strict=False):
            assert planned * 0.9 <= gap <= planned * 1.1 + STEP, (key, gap, planned)
    assert {entry.status for entry in store.outbox()} == {OutboxStatus.SENT}
    assert {entry.attempts for entry in store.outbox()} == {6}
    store.dispose()
