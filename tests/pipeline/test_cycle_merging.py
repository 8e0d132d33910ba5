"""The cycle over boards that share jobs: one alert per (listing, rule) across boards, a rule
that a later sighting makes true alerts then, and a listing that is not open never alerts."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from tests.support.http_server import LocalServer, Reply
from tests.support.servers import rss

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def _item(guid: str, title: str = "Data Analyst", **extra: str) -> dict[str, str]:
    return {
        "title": title,
        "link": f"http://jobs.test/{guid}",
        "guid": guid,
        "company": "Acme",
        "location": "Berlin",
        "description": "Numbers all day.",
        **extra,
    }


def _run(
    tmp_path: Path,
    server: LocalServer,
    feeds: dict[str, list[dict[str, str]]],
    extra: list[dict[str, Any]] | None = None,
) -> RunReport:
    sources: list[dict[str, Any]] = [
        {
            "name": name,
            "adapter": "rss",
            "url": server.route(f"/{name}", Reply(body=rss(items).encode())),
        }
        for name, items in feeds.items()
    ] + (extra or [])
    config = Config.model_validate(
        {
            "database": f"sqlite:///{tmp_path / 'p.db'}",
            "http": {"per_host_gap": 0},
            "parse": {"isolate": False},
            "sources": sources,
            "channels": {"me": "json://127.0.0.1:9/"},
            "rules": [
                {"name": "data", "query": "data", "notify": ["me"]},
                {"name": "twice", "query": "seen:2+", "notify": ["me"]},
            ],
        }
    )
    store = Store(config.database)
    store.upgrade()

    async def go() -> RunReport:
        async with HttpClient(config.http) as client:
            pipeline = Pipeline(config, store, client, clock=lambda: NOW)
            return await pipeline.run_sources(config.sources)

    try:
        return asyncio.run(go())
    finally:
        store.dispose()


def _outbox(tmp_path: Path) -> list[tuple[Any, ...]]:
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        return sorted((entry.listing_id, entry.rule) for entry in store.outbox())
    finally:
        store.dispose()


def test_the_same_job_on_two_boards_alerts_each_rule_once(
    tmp_path: Path, server: LocalServer
) -> None:
    report = _run(tmp_path, server, {"one": [_item("a1")], "two": [_item("b7")]})

    assert [(r.source, r.new, r.matched) for r in report.sources] == [
        ("one", 1, 1),  # data
        ("two", 0, 1),  # twice: the second board made `seen:2+` true
    ]
    [listing_id] = {listing_id for listing_id, _ in _outbox(tmp_path)}
    assert _outbox(tmp_path) == [(listing_id, "data"), (listing_id, "twice")]

    again = _run(tmp_path, server, {"one": [_item("a1")], "two": [_item("b7")]})
    assert [(r.new, r.matched) for r in again.sources] == [(0, 0), (0, 0)]
    assert len(_outbox(tmp_path)) == 2


def test_a_listing_past_its_deadline_is_stored_expired_and_never_alerts(
    tmp_path: Path, server: LocalServer
) -> None:
    records = [
        {"title": "Data Lead", "deadline": "2030-02-01T00:00:00Z"},  # a month before NOW
        {"title": "Data Clerk", "deadline": "2030-04-01T00:00:00Z"},
    ]
    url = server.route("/api", Reply(body=json.dumps({"jobs": records}).encode()))
    source = {
        "name": "api",
        "adapter": "json_api",
        "url": url,
        "options": {"records": "jobs", "fields": {"title": "title", "deadline": "deadline"}},
    }
    report = _run(tmp_path, server, {}, extra=[source])

    assert [(r.new, r.matched) for r in report.sources] == [(2, 1)]
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        statuses = {listing.title: listing.status for listing in store.all_listings()}
        [(listing_id, rule)] = _outbox(tmp_path)
        assert store.listings([listing_id])[listing_id].title == "Data Clerk"
    finally:
        store.dispose()
    assert statuses == {"Data Lead": "expired", "Data Clerk": "open"}
    assert rule == "data"
