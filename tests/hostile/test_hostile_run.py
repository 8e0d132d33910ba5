"""One real run over every hostile source beside two good ones: bounded, isolated, clear."""

from __future__ import annotations

import asyncio
import io
import json
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from typer.testing import CliRunner

from aggregator.cli.app import app
from aggregator.cli.summary import print_report
from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.fetch.netguard import IPAddress, is_private_address
from aggregator.models import Listing, SourceRunResult, SourceState
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from tests.hostile.payloads import (
    BILLION_LAUGHS,
    MIB,
    Case,
    cases,
    chain,
    feed,
    item,
    xxe,
)
from tests.support.http_server import LocalServer, Reply

CASES = cases("http://canary.invalid/")
GOOD = {
    "good-one": feed(item("Python developer", "g1") + item("Data gig", "g2")),
    "good-two": feed(item("Remote designer", "g3") + item("Copy editor", "g4")),
}
# Slowloris sends a byte every 4 s: no read times out, only the total deadline stops it.
HTTP = {"per_host_gap": 0, "total_timeout": 6, "read_timeout": 5, "retry_backoff": 0.05}


def loopback_is_public(address: IPAddress) -> bool:
    """127.0.0.1 plays a public board, so a redirect from it into 10/8 shows the refusal."""
    return is_private_address(address) and str(address) != "127.0.0.1"


@dataclass(frozen=True)
class Outcome:
    report: RunReport
    states: dict[str, SourceState]
    status: dict[str, dict[str, Any]]
    listings: list[Listing]
    seconds: float
    peak_bytes: int
    paths: list[str]

    def result(self, name: str) -> SourceRunResult:
        return next(r for r in self.report.sources if r.source == name)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    folder = tmp_path_factory.mktemp("hostile")
    with LocalServer() as server:
        hostile = cases(server.url("/canary"))
        chain(server, 6)
        server.route("/canary", Reply(body=b'<!ENTITY leaked "CANARY">'))
        sources = [
            {"name": c.name, "adapter": "rss", "url": server.route(f"/{c.name}", c.reply)}
            | ({"allow_private": c.allow_private} if c.allow_private is not None else {})
            for c in hostile
        ]
        sources += [
            {"name": name, "adapter": "rss", "url": server.route(f"/{name}", Reply(body=body))}
            for name, body in GOOD.items()
        ]
        raw = {"database": f"sqlite:///{folder / 'h.db'}", "http": HTTP, "sources": sources}
        (folder / "config.yaml").write_text(yaml.safe_dump(raw))
        config = Config.model_validate(raw)
        store = Store(config.database)
        store.upgrade()
        tracemalloc.start()
        started = time.monotonic()
        report = asyncio.run(_run(config, store))
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        paths = [seen.path for seen in server.seen]
    status = CliRunner().invoke(
        app, ["sources", "status", "--json", "-c", str(folder / "config.yaml")]
    )
    assert status.exit_code == 1, status.output  # hostile sources fail (a health check says so)
    assert "source(s) failing: " in status.stderr
    rows = [json.loads(line) for line in status.stdout.splitlines()]
    yield Outcome(
        report=report,
        states=store.source_states(),
        status={row["name"]: row for row in rows},
        listings=store.all_listings(),
        seconds=seconds,
        peak_bytes=peak,
        paths=paths,
    )
    store.dispose()


async def _run(config: Config, store: Store) -> RunReport:
    async with HttpClient(config.http, is_private=loopback_is_public) as client:
        pipeline = Pipeline(config, store, client)
        return await pipeline.run_sources(config.sources)


def test_the_run_ends_within_the_fetch_deadline_plus_slack(outcome: Outcome) -> None:
    assert outcome.seconds < 6 + 20


def test_the_run_never_holds_a_hostile_body_in_memory(outcome: Outcome) -> None:
    # Three 10 MiB caps may fill at once; a 200 MiB body or a 100 MiB bomb would show here.
    assert outcome.peak_bytes < 120 * MIB


@pytest.mark.parametrize("name", sorted(GOOD))
def test_the_good_sources_in_the_same_run_are_stored_normally(outcome: Outcome, name: str) -> None:
    result = outcome.result(name)
    assert (result.error, result.fetched, result.new) == (None, 2, 2)
    assert outcome.status[name]["health"] == "ok"


@pytest.mark.parametrize("case", [c for c in CASES if c.error], ids=lambda c: c.name)
def test_each_hostile_source_fails_alone_with_a_clear_error_in_the_summary_and_status(
    outcome: Outcome, case: Case
) -> None:
    assert case.error is not None
    result = outcome.result(case.name)
    assert case.error in (result.error or "")
    row = outcome.status[case.name]
    assert (row["health"], row["failures"], row["last_error"]) == ("failing", 1, result.error)


@pytest.mark.parametrize("case", [c for c in CASES if not c.error], ids=lambda c: c.name)
def test_each_odd_but_harmless_feed_is_parsed_and_cleaned(outcome: Outcome, case: Case) -> None:
    result = outcome.result(case.name)
    assert (result.error, result.new) == (None, 1)
    assert outcome.status[case.name]["health"] == "ok"


def test_no_entity_or_dtd_was_ever_fetched(outcome: Outcome) -> None:
    assert not [path for path in outcome.paths if path.startswith("/canary")]


def test_stored_text_has_no_nul_and_a_64_kib_author_is_cut_to_256_characters(
    outcome: Outcome,
) -> None:
    by_title = {listing.title: listing for listing in outcome.listings}
    assert "NULjob" in by_title
    assert all("\0" not in (listing.title + listing.description) for listing in outcome.listings)
    assert by_title["Author job"].company == "A" * 256
    assert any(title.startswith("caf") and title.endswith(" ok") for title in by_title)


def test_the_run_summary_prints_one_line_per_source_with_its_error(
    outcome: Outcome, capsys: pytest.CaptureFixture[str]
) -> None:
    print_report(outcome.report)
    out = capsys.readouterr().out
    assert "billion-laughs" in out
    assert "error: refused: the document declares the XML entity 'lol1'" in out
    assert "error: timed out after 6 s (127.0.0.1)" in out


def test_feedparser_alone_expands_no_entity(server: LocalServer) -> None:
    document = feedparser.parse(io.BytesIO(BILLION_LAUGHS))
    (entry,) = document.entries
    assert len(entry.title) < 100  # ten to the ninth "lol" would be 3 GB


def test_feedparser_alone_reads_no_local_file_and_fetches_no_url(server: LocalServer) -> None:
    canary = server.route("/canary", Reply(body=b"CANARY"))
    for target in ("file:///etc/hostname", canary):
        document = feedparser.parse(io.BytesIO(xxe(target)))
        assert all("CANARY" not in entry.title for entry in document.entries)
        assert Path("/etc/hostname").read_text().strip() not in document.entries[0].title
    assert server.seen == []
