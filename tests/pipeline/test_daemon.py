"""The daemon in-process against a real feed server and a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.models import SourceState
from aggregator.pipeline.cycle import Pipeline
from aggregator.pipeline.daemon import Daemon
from aggregator.store import Store
from tests.support.servers import FeedServer


def test_the_daemon_waits_out_a_failing_sources_backoff_instead_of_its_every(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/feed.xml", "down for maintenance", status=500)
    config = Config.model_validate(
        {
            "database": f"sqlite:///{tmp_path / 'd.db'}",
            "http": {"per_host_gap": 0},
            "sources": [{"name": "jobs", "adapter": "rss", "url": url, "every": "1h"}],
        }
    )
    store = Store(config.database)
    store.upgrade()
    now = datetime.now(UTC)
    store.save_source_state(SourceState(name="jobs", consecutive_failures=3, next_due_at=now))

    async def next_run_after_one_more_failure() -> datetime:
        async with HttpClient(config.http) as client:
            daemon = Daemon(Pipeline(config, store, client))
            running = asyncio.create_task(daemon.run())
            try:
                async with asyncio.timeout(20):
                    while store.source_states()["jobs"].consecutive_failures < 4:
                        await asyncio.sleep(0.05)
                assert daemon._scheduler is not None
                job = daemon._scheduler.get_job("source:jobs")
                next_run: datetime = job.next_run_time
            finally:
                daemon.request_stop()
                await running
            return next_run

    next_run = asyncio.run(next_run_after_one_more_failure())
    store.dispose()
    # The fourth failure in a row backs off 8 x every; the trigger alone would say 1 h.
    assert next_run >= now + timedelta(hours=7)
