"""Helpers for delivery tests: a settable clock, a one-cycle runner and a JSON webhook sink."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from tests.support.http_server import LocalServer, Reply, Seen


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def config_for(db: Path, feed_url: str, channels: dict[str, Any], **extra: Any) -> Config:
    rule = {"name": "data", "query": "data", "notify": list(channels)} | extra.pop("rule", {})
    return Config.model_validate(
        {
            "database": f"sqlite:///{db}",
            "http": {"per_host_gap": 0},
            "sources": [{"name": "jobs", "adapter": "rss", "url": feed_url}],
            "channels": channels,
            "rules": [rule],
        }
        | extra
    )


async def _cycle(config: Config, store: Store, clock: Clock, fetch: bool) -> RunReport:
    async with HttpClient(config.http) as client:
        pipeline = Pipeline(config, store, client, clock=clock)
        report = RunReport()
        if fetch:
            report = await pipeline.run_sources(pipeline.due_sources(include_all=True))
    report.deliveries = pipeline.deliver()
    return report


def cycle(config: Config, store: Store, clock: Clock, *, fetch: bool = True) -> RunReport:
    """Fetch every source, store, match, queue and deliver, at the clock's time."""
    return asyncio.run(_cycle(config, store, clock, fetch))


class WebhookSink:
    """A route on a LocalServer taking apprise's json:// posts; answers `status` (settable)."""

    def __init__(self, server: LocalServer, path: str = "/hook") -> None:
        self.status = 200
        self.path = path
        self.received: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self._lock = threading.Lock()
        server.route(path, self._answer)
        self.port = server.port

    def _answer(self, seen: Seen) -> Reply:
        with self._lock:
            try:
                body = json.loads(seen.body or b"{}")
            except ValueError:
                body = {"raw": seen.body.decode(errors="replace")}
            self.received.append((self.status, body, dict(seen.headers)))
        return Reply(status=self.status, body=b"{}")

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}{self.path}"

    def delivered(self) -> list[dict[str, Any]]:
        """The bodies the sink accepted (answered 2xx)."""
        return [body for status, body, _ in self.received if status < 300]

    def keys(self) -> list[str]:
        return [h.get("idempotency-key", "") for s, _, h in self.received if s < 300]
