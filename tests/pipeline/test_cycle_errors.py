"""An unexpected error in one source: one line in the report, the traceback only at DEBUG."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.adapters.rss import RssAdapter
from aggregator.cli.summary import print_report
from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.models import SourceRunResult
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from tests.hostile.payloads import feed, item
from tests.support.http_server import LocalServer, Reply

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def run_once(tmp_path: Path, server: LocalServer) -> tuple[RunReport, Store]:
    config = Config.model_validate(
        {
            "database": f"sqlite:///{tmp_path / 'p.db'}",
            "http": {"per_host_gap": 0},
            "parse": {"isolate": False},
            "sources": [
                {"name": "broken", "adapter": "rss", "url": server.route("/b", Reply(body=b"x"))},
                {
                    "name": "fine",
                    "adapter": "rss",
                    "url": server.route("/f", Reply(body=feed(item("Python job", "1")))),
                },
            ],
        }
    )
    store = Store(config.database)
    store.upgrade()

    async def go() -> RunReport:
        async with HttpClient(config.http) as client:
            pipeline = Pipeline(config, store, client, clock=lambda: NOW)
            return await pipeline.run_sources(config.sources)

    return asyncio.run(go()), store


@pytest.fixture
def broken_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    real_parse = RssAdapter.parse

    def parse(self: RssAdapter, body: bytes, *, url: str) -> object:
        if body == b"x":  # a bug meeting one source's data, with a long, multi-line message
            raise KeyError("first line\n" + "second line with listing text " * 500)
        return real_parse(self, body, url=url)

    monkeypatch.setattr(RssAdapter, "parse", parse)


@pytest.mark.usefixtures("broken_parser")
def test_an_unexpected_error_is_one_short_line_and_the_other_source_is_stored(
    tmp_path: Path, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="aggregator")
    report, store = run_once(tmp_path, server)
    broken, fine = report.sources
    assert broken.error is not None
    assert broken.error.startswith("internal error: KeyError: ")
    assert "\n" not in broken.error
    assert len(broken.error) < 400
    assert fine.ok
    assert [listing.title for listing in store.all_listings()] == ["Python job"]
    assert store.source_states()["broken"].last_error == broken.error
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


@pytest.mark.usefixtures("broken_parser")
def test_at_debug_level_the_log_has_the_traceback(
    tmp_path: Path, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aggregator")
    run_once(tmp_path, server)
    (crash,) = [r for r in caplog.records if r.getMessage().startswith("source broken crashed")]
    assert crash.exc_info is not None


def test_the_run_summary_lists_each_note_under_its_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    note = "skipped the record 'Odd job': database error: value too long; the others were stored"
    report = RunReport(sources=[SourceRunResult(source="board", fetched=3, new=2, notes=[note])])
    print_report(report)
    assert f"note: board: {note}\n" in capsys.readouterr().out
