"""Teamtailor's JSON Feed: the feed URL of a career site, pages, completeness, what a job gives."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from aggregator.adapters.base import FetchResult, FetchState
from aggregator.adapters.teamtailor import TeamtailorAdapter, feed_url
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply

FEED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "teamtailor.json").read_bytes()
)


def make(url: str = "https://lanternworks.teamtailor.com", **options: Any) -> TeamtailorAdapter:
    return TeamtailorAdapter(
        SourceConfig(name="tt", adapter="teamtailor", url=url, options=options)
    )


def fetch(adapter: TeamtailorAdapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0, retries=0)) as client:
            return await adapter.scoped_fetch(client, state or FetchState())

    return asyncio.run(go())


def page(items: list[dict[str, Any]], next_url: str | None = None) -> Reply:
    document: dict[str, Any] = {**FEED, "items": items}
    if next_url:
        document["next_url"] = next_url
    return Reply(body=json.dumps(document).encode(), headers={"Content-Type": "application/json"})


def item(number: int) -> dict[str, Any]:
    return {**FEED["items"][1], "id": str(number), "title": f"Job {number}"}


@pytest.mark.parametrize(
    "site",
    [
        "https://lanternworks.teamtailor.com",
        "https://lanternworks.teamtailor.com/",
        "https://lanternworks.teamtailor.com/jobs",
        "https://lanternworks.teamtailor.com/jobs.json?page=2",
    ],
)
def test_the_feed_of_a_site_its_jobs_page_or_the_feed_itself(site: str) -> None:
    assert feed_url(site) == "https://lanternworks.teamtailor.com/jobs.json"


def test_a_custom_careers_domain_keeps_its_path() -> None:
    assert feed_url("https://careers.lanternworks.example/en") == (
        "https://careers.lanternworks.example/en/jobs.json"
    )


def test_fetch_follows_next_url_and_the_whole_board_is_listed(server: LocalServer) -> None:
    # The server routes by path: the one route answers each page by its query.
    pages = {
        "/jobs.json": page([item(1), item(2)], next_url=server.url("/jobs.json?page=2")),
        "/jobs.json?page=2": page([item(3)]),
    }
    server.route("/jobs.json", lambda seen: pages[seen.path])

    result = fetch(make(server.url("/")))

    assert [seen.path for seen in server.seen] == ["/jobs.json", "/jobs.json?page=2"]
    assert server.seen[0].headers["accept"].startswith("application/feed+json")
    assert result.complete
    adapter = make(server.url("/"))
    titles = [p.title for page in result.pages for p in adapter.parse(page.body, url=page.url)]
    assert titles == ["Job 1", "Job 2", "Job 3"]


def test_stopping_at_max_pages_with_more_announced_is_incomplete(server: LocalServer) -> None:
    server.route("/jobs.json", page([item(1)], next_url=server.url("/jobs.json?page=2")))

    result = fetch(make(server.url("/"), max_pages=1))

    assert len(result.pages) == 1
    assert not result.complete


def test_an_unchanged_feed_is_not_modified(server: LocalServer) -> None:
    server.route("/jobs.json", page([item(1)]))
    adapter = make(server.url("/"))
    first = fetch(adapter)
    again = fetch(adapter, FetchState(content_hash=first.content_hash))
    assert (again.pages, again.not_modified) == ((), True)


def test_a_next_page_on_another_host_is_refused(server: LocalServer) -> None:
    server.route("/jobs.json", page([item(1)], next_url="http://localhost:9/jobs.json?page=2"))
    with pytest.raises(FetchError, match="localhost"):
        fetch(make(server.url("/")))


def test_a_site_without_the_feed_says_so(server: LocalServer) -> None:
    with pytest.raises(FetchError, match=r"teamtailor: no job feed at .*/jobs\.json"):
        fetch(make(server.url("/")))


def test_a_job_reads_places_type_pay_and_deadline_from_the_embedded_job_posting() -> None:
    intern, developer = make().parse(json.dumps(FEED).encode(), url="https://x.example/")
    assert intern.guid == "6120441"
    assert intern.company == "Lanternworks AB"
    assert intern.location == "Stockholm, Stockholm County, SE; Gothenburg, SE"
    assert intern.employment_type == "INTERN"
    assert (intern.pay_min, intern.pay_max, intern.currency, intern.pay_period) == (
        24000.0,
        28000.0,
        "SEK",
        "month",
    )
    assert intern.deadline == "2027-01-15"
    assert intern.tags == ("Design",)
    assert intern.description_html is not None
    assert intern.description_html.startswith("<p>Spend ten weeks")
    assert developer.remote is True
    assert developer.location is None


def test_without_a_hiring_organization_the_subdomain_names_the_company() -> None:
    bare = {"id": "1", "title": "Job", "url": "https://x/1", "content_text": "Line one\nTwo"}
    document = json.dumps({**FEED, "items": [bare]}).encode()
    (hosted,) = make("https://lantern-works.na.teamtailor.com").parse(document, url="x")
    (custom,) = make("https://careers.lanternworks.example").parse(document, url="x")
    (named,) = make(company="Lanternworks").parse(document, url="x")
    assert (hosted.company, custom.company, named.company) == (
        "Lantern Works",
        None,
        "Lanternworks",
    )
    assert hosted.description_html is not None
    assert "Line one" in hosted.description_html


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": "https://jsonfeed.org/version/1.1"}, "expected a list at $.items, got null"),
        ({"version": "2.0", "items": []}, "expected a JSON Feed, got version '2.0'"),
        ({"items": [{"id": "1"}]}, "expected a string at $.items[0].title, got null"),
        ([], "expected an object at $, got a list"),
    ],
)
def test_a_feed_of_the_wrong_shape_names_the_path(document: object, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        make().parse(json.dumps(document).encode(), url="https://x.example/")
    assert str(caught.value).startswith("teamtailor: ")
    assert message in str(caught.value)
