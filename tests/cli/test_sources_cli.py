"""`aggregate sources list|test` through the real command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.models import SourceState
from aggregator.store import Store
from tests.cli.conftest import Invoke
from tests.conftest import run_cli
from tests.support.servers import FeedServer

FIXTURES = Path(__file__).resolve().parents[1] / "adapters" / "fixtures"
CATALOGUE = Path(__file__).resolve().parents[2] / "sources"


def test_sources_list_shows_each_catalogue_entry_and_which_config_source_uses_it(
    tmp_path: Path,
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources:\n  - {name: mine, adapter: rss, url: 'https://x.test/f'}\n")
    result = run_cli("sources", "list", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (rss_line,) = [line for line in result.stdout.splitlines() if line.startswith("rss ")]
    assert "every 1h" in rss_line
    assert "used by: mine" in rss_line


def test_sources_test_parses_a_saved_file_into_json_lines(tmp_path: Path) -> None:
    result = run_cli(
        "sources",
        "test",
        "--adapter",
        "rss",
        "--file",
        str(FIXTURES / "rss.xml"),
        "--url",
        "https://gigs.example/feed.xml",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    postings = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(postings) == 4
    assert postings[0]["title"] == "Junior Data Analyst & Reporting (Remote)"
    assert postings[0]["url"] == "https://gigs.example/gigs/101?ref=board"
    assert set(postings[0]) >= {"title", "url", "company", "tags", "posted_at", "source"}


def test_sources_test_on_a_page_that_is_not_a_feed_says_so_in_one_line(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><body>Hi</body></html>")
    result = run_cli("sources", "test", "-a", "rss", "-f", str(page), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "source test (adapter rss): not an RSS or Atom feed: got an HTML page"
    )


def test_sources_test_rejects_an_unknown_option_listing_the_valid_ones(tmp_path: Path) -> None:
    result = run_cli(
        "sources", "test", "-a", "rss", "-o", "colour=red", "--url", "https://x.test/", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "options.colour: unknown option (valid: none)" in result.stderr


def test_sources_test_fetches_a_configured_source_live(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/f.xml", (FIXTURES / "rss.xml").read_bytes())
    config = tmp_path / "c.yaml"
    config.write_text(f"sources:\n  - {{name: mine, adapter: rss, url: '{url}'}}\n")
    result = run_cli("sources", "test", "mine", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "4 posting(s) from 1 page(s)"
    assert feed_server.url("/gigs/101?ref=board") in result.stdout


def test_sources_list_shows_titles_with_a_hash_whole(invoke: Invoke) -> None:
    result = invoke("sources", "list")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.splitlines()
    for path in sorted(CATALOGUE.glob("*.yaml")):
        (line,) = [line for line in path.read_text().splitlines() if line.startswith("title:")]
        title = line.removeprefix("title:").strip().strip('"')
        (row,) = [row for row in listed if row.startswith(f"{path.stem} ")]
        assert f" {title} [" in row
    (bluesky,) = [row for row in listed if row.startswith("bluesky_search ")]
    assert "(e.g. #microinternship) [" in bluesky


def status_config(tmp_path: Path, states: list[SourceState]) -> Path:
    database = f"sqlite:///{tmp_path / 's.db'}"
    store = Store(database)
    store.upgrade()
    for state in states:
        store.save_source_state(state)
    store.dispose()
    config = tmp_path / "c.yaml"
    sources = "".join(
        f"  - {{name: {name}, adapter: rss, url: 'https://x.test/{name}'}}\n"
        for name in ("good", "bad")
    )
    config.write_text(f"database: '{database}'\ntimezone: Europe/Berlin\nsources:\n{sources}")
    return config


ATTEMPT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
GOOD = SourceState(name="good", last_attempt_at=ATTEMPT, last_success_at=ATTEMPT)
BAD = SourceState(
    name="bad",
    last_attempt_at=ATTEMPT,
    last_success_at=ATTEMPT - timedelta(days=2),
    consecutive_failures=3,
    failing_since=ATTEMPT - timedelta(days=1),
    last_error="HTTP 503 from https://x.test/bad",
    next_due_at=ATTEMPT + timedelta(hours=8),
)


def test_sources_status_exits_1_naming_the_failing_sources(tmp_path: Path, invoke: Invoke) -> None:
    config = status_config(tmp_path, [GOOD, BAD])
    for flags in ([], ["--json"]):
        result = invoke("sources", "status", "--config", str(config), *flags)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().endswith("1 source(s) failing: bad")
    assert "bad (rss): failing" in result.stdout or '"health": "failing"' in result.stdout


def test_sources_status_exits_0_when_no_source_is_failing(tmp_path: Path, invoke: Invoke) -> None:
    config = status_config(tmp_path, [GOOD])  # `bad` was never fetched: new, not failing
    result = invoke("sources", "status", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "bad (rss): new" in result.stdout


def test_sources_status_shows_times_in_the_configs_zone_with_the_zone(
    tmp_path: Path, invoke: Invoke
) -> None:
    config = status_config(tmp_path, [GOOD, BAD])
    result = invoke("sources", "status", "--config", str(config))
    # 09:30 UTC is 10:30 in Berlin in December (CET)
    assert "last attempt 2026-12-01 10:30 CET, last success 2026-11-29 10:30 CET" in result.stdout
    assert "next due 2026-12-01 18:30 CET" in result.stdout
    assert "3 failure(s) in a row since 2026-11-30 10:30 CET" in result.stdout
    assert "last new item never" in result.stdout
