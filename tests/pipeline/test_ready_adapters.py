"""The pipeline resolves each source against the catalogue once and reuses its adapter for
every fetch and parse; the parse worker gets that adapter as it is."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.adapters import catalogue
from aggregator.adapters.base import Page
from aggregator.adapters.catalogue import ResolvedSource
from aggregator.config.model import Config, SourceConfig
from aggregator.fetch.client import HttpClient
from aggregator.pipeline import cycle
from aggregator.pipeline.cycle import Pipeline
from aggregator.pipeline.isolation import WorkerPool, parse_source
from aggregator.store import Store
from tests.hostile.payloads import feed, item
from tests.support.http_server import LocalServer, Reply

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def resolutions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the sources resolved against the catalogue, in order."""
    seen: list[str] = []

    def counting(source: SourceConfig) -> ResolvedSource:
        seen.append(source.name)
        return catalogue.resolve(source)

    monkeypatch.setattr(cycle, "resolve", counting)
    return seen


def make_config(tmp_path: Path, server: LocalServer, *, isolate: bool) -> Config:
    return Config.model_validate(
        {
            "database": f"sqlite:///{tmp_path / 'p.db'}",
            "http": {"per_host_gap": 0},
            "parse": {"isolate": isolate},
            "sources": [
                {
                    "name": name,
                    "adapter": "rss",
                    "url": server.route(f"/{name}", Reply(body=feed(item(f"{name} job", name)))),
                }
                for name in ("one", "two")
            ],
        }
    )


def run_cycles(config: Config, count: int, **pipeline: Any) -> list[int]:
    store = Store(config.database)
    store.upgrade()

    async def go() -> list[int]:
        async with HttpClient(config.http) as client:
            runner = Pipeline(config, store, client, clock=lambda: NOW, **pipeline)
            fetched = []
            for _ in range(count):
                report = await runner.run_sources(config.sources)
                assert all(result.ok for result in report.sources), report.sources
                fetched.append(sum(result.fetched for result in report.sources))
            return fetched

    try:
        return asyncio.run(go())
    finally:
        store.dispose()


@pytest.mark.parametrize("isolate", [False, True])
def test_each_source_is_resolved_once_however_many_cycles_run(
    tmp_path: Path, server: LocalServer, resolutions: list[str], isolate: bool
) -> None:
    config = make_config(tmp_path, server, isolate=isolate)

    fetched = run_cycles(config, 3)

    assert fetched == [2, 0, 0]  # the second and third fetch find the feeds unchanged
    assert resolutions == ["one", "two"]


def test_sources_resolved_at_start_up_are_not_resolved_again(
    tmp_path: Path, server: LocalServer, resolutions: list[str]
) -> None:
    config = make_config(tmp_path, server, isolate=False)
    resolved = [catalogue.resolve(source) for source in config.sources]

    run_cycles(config, 2, resolved=resolved)

    assert resolutions == []


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(1)
    yield workers
    workers.close()


def test_a_worker_parses_with_the_ready_adapter_it_is_sent(pool: WorkerPool) -> None:
    source = SourceConfig(name="board", adapter="rss", url="https://example.com/feed.xml")
    adapter = catalogue.resolve(source).build()
    pool.preload(adapter.parse_modules())
    pages = [Page(url="https://example.com/feed.xml", body=feed(item("Data gig", "1")))]

    postings = pool.run(parse_source, adapter, pages, NOW, timeout=60)

    assert postings == parse_source(adapter, pages, NOW)
    assert [(p.source, p.title) for p in postings] == [("board", "Data gig")]
