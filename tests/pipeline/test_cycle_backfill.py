"""No backlog flood: a source's first fetch (or its first after a long pause) alerts only what
was posted within `backfill`; the older listings' matches are recorded and never alert."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.models import SourceState
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.pipeline.health import reenabled
from aggregator.store import Store
from tests.support.http_server import LocalServer, Reply

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def feed(*jobs: tuple[str, datetime]) -> bytes:
    """An RSS feed of data jobs, each (guid, posted at)."""
    items = "".join(
        f"<item><title>Data job {guid}</title><link>https://jobs.example/{guid}</link>"
        f"<guid>{guid}</guid><pubDate>{format_datetime(posted)}</pubDate>"
        "<company>Acme</company><location>Berlin</location>"
        "<description>Numbers all day.</description></item>"
        for guid, posted in jobs
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}'.encode() + (
        b"</channel></rss>"
    )


BACKLOG = [(f"old{n}", NOW - (10 + n) * DAY) for n in range(5)]
RECENT = [("new1", NOW - DAY), ("new2", NOW - timedelta(hours=3))]


class Setup:
    """A config of RSS sources on the local server, one store, and a run at any time."""

    def __init__(self, tmp_path: Path, server: LocalServer, **extra: Any) -> None:
        self.server = server
        self.database = f"sqlite:///{tmp_path / 'b.db'}"
        self.extra = extra
        self.sources: list[dict[str, Any]] = []
        self.store = Store(self.database)
        self.store.upgrade()

    def source(self, name: str, *jobs: tuple[str, datetime], **options: Any) -> None:
        url = self.server.route(f"/{name}.xml", Reply(body=feed(*jobs)))
        self.sources = [s for s in self.sources if s["name"] != name]
        self.sources.append({"name": name, "adapter": "rss", "url": url, **options})

    def run(self, now: datetime = NOW, *, dry_run: bool = False) -> RunReport:
        config = Config.model_validate(
            {
                "database": self.database,
                "http": {"per_host_gap": 0},
                "parse": {"isolate": False},
                "sources": self.sources,
                "channels": {"me": "console://"},
                "rules": [{"name": "data", "query": "data", "notify": ["me"]}],
                **self.extra,
            }
        )

        async def go() -> RunReport:
            async with HttpClient(config.http) as client:
                pipeline = Pipeline(config, self.store, client, clock=lambda: now)
                return await pipeline.run_sources(config.sources, dry_run=dry_run)

        return asyncio.run(go())

    def alerted(self) -> set[str]:
        """The guids of the listings with a queued alert."""
        ids = {row.listing_id for row in self.store.outbox() if row.listing_id is not None}
        return {self.store.listings(ids)[i].url.rsplit("/", 1)[1] for i in ids}  # type: ignore[union-attr]

    def matched(self) -> set[str]:
        """The guids of the listings the rule matched (as `listings show` tells)."""
        guids = set()
        for listing in self.store.all_listings():
            detail = self.store.listing_detail(listing.id)
            assert detail is not None
            if any(record.rule == "data" for record in detail.matches):
                guids.add((listing.url or "").rsplit("/", 1)[1])
        return guids


def test_a_first_fetch_alerts_the_recent_postings_and_holds_back_the_older_ones(
    tmp_path: Path, server: LocalServer
) -> None:
    setup = Setup(tmp_path, server)
    setup.source("board", *BACKLOG, *RECENT)

    (result,) = setup.run().sources

    assert setup.alerted() == {"new1", "new2"}
    assert setup.matched() == {guid for guid, _ in BACKLOG + RECENT}
    assert (result.fetched, result.new, result.matched, result.held_back) == (7, 7, 7, 5)
    (note,) = result.notes
    assert note == (
        "first fetch: held back 5 older postings (posted before 2026-11-17 12:00 UTC; "
        "backfill 3d); their matches are recorded, not alerted"
    )


def test_the_second_run_alerts_new_postings_normally_and_never_the_held_back_ones(
    tmp_path: Path, server: LocalServer
) -> None:
    setup = Setup(tmp_path, server)
    setup.source("board", *BACKLOG, *RECENT)
    setup.run()
    # An hour later: one new job, one backdated (posted long ago, listed only now).
    later = [("new3", NOW), ("late", NOW - 20 * DAY)]
    setup.source("board", *BACKLOG, *RECENT, *later)

    (result,) = setup.run(NOW + timedelta(hours=1)).sources

    assert (result.new, result.matched, result.held_back, result.notes) == (2, 2, 0, [])
    assert setup.alerted() == {"new1", "new2", "new3", "late"}


def test_a_held_back_listing_seen_by_another_source_does_not_alert_either(
    tmp_path: Path, server: LocalServer
) -> None:
    setup = Setup(tmp_path, server)
    setup.source("board", *BACKLOG, *RECENT)
    setup.run()
    # The same jobs on a mirror that alerts everything: they join the listings already held.
    setup.source("mirror", *BACKLOG, backfill="all")

    results = {r.source: r for r in setup.run(NOW + timedelta(hours=1)).sources}

    assert (results["mirror"].fetched, results["mirror"].new) == (5, 0)
    assert setup.alerted() == {"new1", "new2"}


def test_backfill_all_alerts_everything_and_none_alerts_nothing_on_a_first_fetch(
    tmp_path: Path, server: LocalServer
) -> None:
    (tmp_path / "all").mkdir()
    every = Setup(tmp_path / "all", server, backfill="all")
    every.source("board", *BACKLOG, *RECENT)
    (result,) = every.run().sources
    assert (result.held_back, result.notes) == (0, [])
    assert every.alerted() == {guid for guid, _ in BACKLOG + RECENT}

    nothing = Setup(tmp_path, server, backfill="none")
    nothing.source("board", *BACKLOG, *RECENT)
    (result,) = nothing.run().sources
    assert nothing.alerted() == set()
    assert result.held_back == 7
    assert result.notes == [
        "first fetch: held back 7 postings (backfill none); their matches are recorded, not alerted"
    ]
    nothing.source("board", *BACKLOG, *RECENT, ("new3", NOW))
    nothing.run(NOW + timedelta(hours=1))
    assert nothing.alerted() == {"new3"}


def test_a_source_overrides_the_top_level_backfill(tmp_path: Path, server: LocalServer) -> None:
    setup = Setup(tmp_path, server, backfill="none")
    setup.source("quiet", *BACKLOG[:2], *RECENT[:1])
    setup.source("loud", ("l-old", NOW - 30 * DAY), ("l-new", NOW), backfill="all")
    setup.source("week", ("w-old", NOW - 8 * DAY), ("w-new", NOW - 6 * DAY), backfill="1w")

    held = {r.source: r.held_back for r in setup.run().sources}

    assert held == {"quiet": 3, "loud": 0, "week": 1}
    assert setup.alerted() == {"l-old", "l-new", "w-new"}


def _paused(store: Store, name: str, last_success: datetime) -> None:
    """The source last succeeded at `last_success`, was disabled, and is enabled again."""
    state = SourceState(
        name=name,
        last_attempt_at=NOW - DAY,
        last_success_at=last_success,
        consecutive_failures=30,
        disabled_at=NOW - DAY,
        disabled_reason="30 failures in a row",
    )
    store.save_source_state(reenabled(state))


def test_a_source_re_enabled_after_a_pause_longer_than_the_window_holds_back_again(
    tmp_path: Path, server: LocalServer
) -> None:
    setup = Setup(tmp_path, server)
    setup.source("board", *BACKLOG, *RECENT)
    _paused(setup.store, "board", NOW - 12 * DAY)

    (result,) = setup.run().sources

    assert setup.alerted() == {"new1", "new2"}
    assert result.held_back == 5
    assert result.notes[0].startswith("last success 12d ago: held back 5 older postings")


def test_a_pause_within_the_window_or_a_regular_long_interval_holds_nothing_back(
    tmp_path: Path, server: LocalServer
) -> None:
    setup = Setup(tmp_path, server)
    setup.source("board", *BACKLOG[:2], *RECENT)
    # A weekly source, last fetched eight days ago: on schedule, though past the 3d window.
    setup.source("weekly", ("w-old", NOW - 6 * DAY), every="1w")
    _paused(setup.store, "board", NOW - 2 * DAY)
    setup.store.save_source_state(SourceState(name="weekly", last_success_at=NOW - 8 * DAY))

    held = {r.source: r.held_back for r in setup.run().sources}

    assert held == {"board": 0, "weekly": 0}
    assert setup.alerted() == {"old0", "old1", "new1", "new2", "w-old"}


def test_a_dry_run_previews_only_the_alerts_a_real_run_would_queue(
    tmp_path: Path, server: LocalServer
) -> None:
    setup = Setup(tmp_path, server)
    setup.source("board", *BACKLOG, *RECENT)

    report = setup.run(dry_run=True)

    titles = [preview.alert.title for preview in report.previews]
    assert sorted(guid for guid in ("new1", "new2", "old0") if any(guid in t for t in titles)) == [
        "new1",
        "new2",
    ]
    assert len(titles) == 2
    assert (report.sources[0].matched, report.sources[0].held_back) == (7, 5)
    assert setup.store.outbox() == []
