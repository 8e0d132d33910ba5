"""`aggregate sources list|test` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.support.servers import FeedServer

FIXTURES = Path(__file__).resolve().parents[1] / "adapters" / "fixtures"


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
