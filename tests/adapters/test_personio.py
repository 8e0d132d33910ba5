"""Personio's XML feed: the URL it builds, what a position becomes, hostile and wrong documents."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from aggregator.adapters.base import FetchResult, FetchState, option_problems
from aggregator.adapters.personio import PersonioAdapter
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply

FEED = (Path(__file__).parent / "fixtures" / "personio.xml").read_bytes()


def make(**options: Any) -> PersonioAdapter:
    options = {"company": "lanternworks", **options}
    return PersonioAdapter(SourceConfig(name="p", adapter="personio", options=options))


def fetch(adapter: PersonioAdapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0, retries=0)) as client:
            return await adapter.scoped_fetch(client, state or FetchState())

    return asyncio.run(go())


def test_the_feed_url_is_on_the_career_site_with_the_language() -> None:
    assert make().url == "https://lanternworks.jobs.personio.de/xml"
    assert make(host="jobs.personio.com", language="en").url == (
        "https://lanternworks.jobs.personio.com/xml?language=en"
    )


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"company": "acme/../x"}, "company"),
        ({"host": "personio.de"}, "host"),
        ({"language": "sv"}, "language"),
        ({"api_base": "ftp://x"}, "api_base"),
    ],
)
def test_bad_options_name_the_option(options: dict[str, Any], field: str) -> None:
    (problem,) = option_problems(PersonioAdapter, None, {"company": "lanternworks", **options})
    assert problem.startswith(f"options.{field}: ")


def test_fetch_asks_for_xml_in_the_language_and_links_to_the_public_site(
    server: LocalServer,
) -> None:
    server.route("/xml", Reply(body=FEED, headers={"Content-Type": "text/xml; charset=utf-8"}))
    adapter = make(language="en", api_base=server.url(""))

    (page,) = fetch(adapter).pages
    postings = adapter.parse(page.body, url=page.url)

    (seen,) = server.seen
    assert parse_qs(urlsplit(seen.path).query) == {"language": ["en"]}
    assert seen.headers["accept"].startswith("application/xml")
    assert postings[0].url == "https://lanternworks.jobs.personio.de/job/1804411"


def test_an_unchanged_feed_is_not_modified(server: LocalServer) -> None:
    server.route("/xml", Reply(body=FEED))
    adapter = make(api_base=server.url(""))
    first = fetch(adapter)
    again = fetch(adapter, FetchState(content_hash=first.content_hash))
    assert (again.pages, again.not_modified) == ((), True)


def test_an_unknown_company_says_so(server: LocalServer) -> None:
    server.route("/xml", Reply(status=404, body=b"<html>Page not found</html>"))
    with pytest.raises(FetchError, match="no XML feed for company 'lanternworks'") as caught:
        fetch(make(api_base=server.url("")))
    assert caught.value.status == 404


def test_a_rate_limit_is_not_reported_as_an_unknown_company(server: LocalServer) -> None:
    server.route("/xml", Reply(status=429))
    with pytest.raises(FetchError, match="HTTP 429") as caught:
        fetch(make(api_base=server.url("")))
    assert "no XML feed" not in str(caught.value)


def test_a_position_becomes_a_posting_with_its_description_blocks() -> None:
    first, intern, technician = make().parse(FEED, url="https://x.example/xml")
    assert first.title == "Working Student Data Analytics (m/f/d)"
    assert first.guid == "1804411"
    assert first.company == "Lanternworks GmbH"
    assert first.location == "Berlin; Hamburg"  # the main office once, then the others
    assert first.tags == ("Data", "Analytics")
    assert first.description_html is not None
    assert first.description_html.startswith("<h3>Your tasks</h3><ul><li>Build dashboards")
    assert "<h3>Your profile</h3><p>You study" in first.description_html
    assert first.extra["keywords"] == ["SQL", "Python", "dashboards"]
    assert first.extra["seniority"] == "student"
    # No subcompany: the company name option, else the company title-cased.
    assert intern.company == "Lanternworks"
    assert intern.employment_type == "intern"
    assert intern.posted_at is not None
    assert intern.posted_at.utcoffset() is not None
    # Permanent and working-student positions are typed by their schedule.
    assert (first.employment_type, technician.employment_type) == ("part-time", "part-time")


def test_the_company_name_option_wins() -> None:
    postings = make(company_name="Lanternworks Group").parse(FEED, url="https://x.example/")
    assert {p.company for p in postings} == {"Lanternworks Group"}


def test_a_feed_without_positions_gives_no_postings() -> None:
    assert make().parse(b"<workzag-jobs></workzag-jobs>", url="https://x.example/") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "got an HTML page"),
        (b"<jobs><job/></jobs>", "expected a <workzag-jobs> document, got <jobs>"),
        (b"<workzag-jobs><position>", "expected the XML feed, got no element found"),
        (b"<workzag-jobs><position><id>1</id></position></workzag-jobs>", "has no <name>"),
    ],
)
def test_a_document_of_the_wrong_shape_is_a_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        make().parse(body, url="https://x.example/")
    assert str(caught.value).startswith("personio: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE w [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        b'<!DOCTYPE w [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd"> %p;]>',
    ],
)
def test_entity_tricks_are_refused_before_parsing(prolog: bytes) -> None:
    body = prolog + b"<workzag-jobs><position><name>&x;</name></position></workzag-jobs>"
    with pytest.raises(SourceError, match="personio: the document declares"):
        make().parse(body, url="https://x.example/")
