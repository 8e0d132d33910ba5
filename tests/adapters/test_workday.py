"""Workday's CXS search: the site a URL names, paging by offset, completeness, job links."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.adapters.base import FetchResult, FetchState
from aggregator.adapters.workday import (
    PAGE_SIZE,
    CareerSite,
    WorkdayAdapter,
    career_site,
    posted_date,
)
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply, Seen

FIXTURE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "workday.json").read_bytes()
)
API = "/wday/cxs/northwind/Careers/jobs"


def make(url: str, **options: Any) -> WorkdayAdapter:
    return WorkdayAdapter(SourceConfig(name="wd", adapter="workday", url=url, options=options))


def local(server: LocalServer, **options: Any) -> WorkdayAdapter:
    return make(server.url("/en-US/Careers"), tenant="northwind", **options)


def fetch(adapter: WorkdayAdapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0, retries=0)) as client:
            return await adapter.scoped_fetch(client, state or FetchState())

    return asyncio.run(go())


def job(number: int) -> dict[str, Any]:
    return {
        "title": f"Job {number}",
        "externalPath": f"/job/Austin-TX/Job-{number}_R{number:05d}",
        "locationsText": "Austin, TX",
        "postedOn": "Posted Today",
        "bulletFields": [f"R{number:05d}"],
    }


def board(count: int, *, total_on_every_page: bool = False, total: bool = True) -> Any:
    """A site with `count` jobs that answers like Workday: the total on the first page only."""

    def answer(seen: Seen) -> Reply:
        search = json.loads(seen.body)
        offset, limit = search["offset"], search["limit"]
        if limit > PAGE_SIZE:
            return Reply(status=400, body=b'{"errorCode": "HTTP_400"}')
        jobs = [job(n) for n in range(offset, min(offset + limit, count))]
        document: dict[str, Any] = {"jobPostings": jobs}
        if total:
            document["total"] = count if offset == 0 or total_on_every_page else 0
        return Reply(
            body=json.dumps(document).encode(), headers={"Content-Type": "application/json"}
        )

    return answer


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://northwind.wd5.myworkdayjobs.com/en-US/Careers",
            CareerSite("https://northwind.wd5.myworkdayjobs.com", "northwind", "Careers", "en-US"),
        ),
        (
            "https://northwind.wd1.myworkdayjobs.com/External_Careers/",
            CareerSite(
                "https://northwind.wd1.myworkdayjobs.com", "northwind", "External_Careers", None
            ),
        ),
        (
            "https://NorthWind.wd5.myworkdayjobs.com/de-DE/Careers/job/Berlin/Intern_R1?q=x",
            CareerSite("https://northwind.wd5.myworkdayjobs.com", "northwind", "Careers", "de-DE"),
        ),
    ],
)
def test_the_careers_site_url_gives_tenant_site_and_locale(url: str, expected: CareerSite) -> None:
    assert career_site(url) == expected


def test_the_search_endpoint_and_the_job_base_of_a_site() -> None:
    site = career_site("https://northwind.wd5.myworkdayjobs.com/en-US/Careers")
    assert site.api == "https://northwind.wd5.myworkdayjobs.com/wday/cxs/northwind/Careers/jobs"
    assert site.home == "https://northwind.wd5.myworkdayjobs.com/en-US/Careers"


def test_another_host_needs_the_tenant_option() -> None:
    message = "cannot tell the tenant from 'https://jobs.nw.example/Careers'"
    with pytest.raises(SourceError, match=re.escape(message)):
        career_site("https://jobs.nw.example/Careers")
    site = make("https://jobs.nw.example/Careers", tenant="northwind").career_site
    assert site.api == "https://jobs.nw.example/wday/cxs/northwind/Careers/jobs"


def test_the_site_option_overrides_the_path() -> None:
    site = make("https://northwind.wd5.myworkdayjobs.com/", site="Students").career_site
    assert (site.tenant, site.site) == ("northwind", "Students")


def test_fetch_pages_by_offset_until_the_first_pages_total(server: LocalServer) -> None:
    server.route(API, board(45))

    result = fetch(local(server, search_text="intern", applied_facets={"jobFamily": ["abc"]}))

    searches = [json.loads(seen.body) for seen in server.seen]
    assert [s["offset"] for s in searches] == [0, 20, 40]
    assert searches[0] == {
        "appliedFacets": {"jobFamily": ["abc"]},
        "limit": 20,
        "offset": 0,
        "searchText": "intern",
    }
    assert {seen.method for seen in server.seen} == {"POST"}
    assert server.seen[0].headers["content-type"] == "application/json"
    assert result.complete
    adapter = local(server)
    titles = [p.title for page in result.pages for p in adapter.parse(page.body, url=page.url)]
    assert titles == [f"Job {n}" for n in range(45)]


def test_a_full_last_page_stops_at_the_total(server: LocalServer) -> None:
    server.route(API, board(40, total_on_every_page=True))
    result = fetch(local(server))
    assert [json.loads(seen.body)["offset"] for seen in server.seen] == [0, 20]
    assert result.complete


def test_without_a_total_the_short_page_is_the_last(server: LocalServer) -> None:
    server.route(API, board(25, total=False))
    result = fetch(local(server))
    assert len(server.seen) == 2
    assert result.complete


def test_stopping_at_max_pages_is_incomplete(server: LocalServer) -> None:
    server.route(API, board(100))
    result = fetch(local(server, max_pages=2))
    assert len(server.seen) == 2
    assert len(result.pages) == 2
    assert not result.complete


def test_an_unchanged_site_is_not_modified(server: LocalServer) -> None:
    server.route(API, board(3))
    adapter = local(server)
    first = fetch(adapter)
    again = fetch(adapter, FetchState(content_hash=first.content_hash))
    assert (again.pages, again.not_modified) == ((), True)


def test_an_unknown_site_says_so(server: LocalServer) -> None:
    with pytest.raises(FetchError, match="workday: no careers site northwind/Careers") as caught:
        fetch(local(server))
    assert caught.value.status == 404


FETCHED = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("posted_on", "day"),
    [
        ("Posted Today", 1),
        ("Posted Yesterday", 30),
        ("Posted 3 Days Ago", 28),
        ("posted 1 day ago", 30),
    ],
)
def test_a_relative_date_counts_back_from_the_fetch(posted_on: str, day: int) -> None:
    month = 12 if day == 1 else 11
    assert posted_date(posted_on, FETCHED) == datetime(2026, month, day, tzinfo=UTC)


@pytest.mark.parametrize("posted_on", ["Posted 30+ Days Ago", "Vor 3 Tagen", "", None])
def test_a_vague_or_unknown_relative_date_is_no_date(posted_on: str | None) -> None:
    assert posted_date(posted_on, FETCHED) is None


def test_the_fetch_time_travels_in_the_page_url_and_dates_the_jobs(server: LocalServer) -> None:
    server.route(API, Reply(body=json.dumps(FIXTURE).encode()))
    adapter = local(server)
    before = datetime.now(UTC)

    (page,) = fetch(adapter).pages
    intern, coop, technician = adapter.parse(page.body, url=page.url)

    assert "#fetched=" in page.url
    assert intern.posted_at is not None
    assert 3 <= (before - intern.posted_at).days <= 4
    assert coop.posted_at is not None
    assert coop.posted_at.date() == datetime.now(UTC).date()
    assert technician.posted_at is None  # "Posted 30+ Days Ago"


def test_a_job_links_to_its_page_on_the_site_and_keeps_the_relative_date() -> None:
    adapter = make("https://northwind.wd5.myworkdayjobs.com/en-US/Careers")
    intern, coop, technician = adapter.parse(json.dumps(FIXTURE).encode(), url="x")
    assert intern.url == (
        "https://northwind.wd5.myworkdayjobs.com/en-US/Careers"
        "/job/Austin-TX/Software-Engineering-Intern---Summer-2026_R0041187"
    )
    assert intern.company == "Northwind"
    assert intern.posted_at is None
    assert intern.extra["posted_on"] == "Posted 3 Days Ago"
    assert intern.extra["bullet_fields"] == ["R0041187"]
    assert coop.remote == "Hybrid"
    assert technician.extra["time_type"] == "Full time"


def test_without_a_locale_the_link_has_none_and_the_company_option_wins() -> None:
    adapter = make("https://northwind.wd1.myworkdayjobs.com/Careers", company="Northwind Inc.")
    (posting, *_) = adapter.parse(json.dumps(FIXTURE).encode(), url="x")
    assert posting.url is not None
    assert posting.url.startswith("https://northwind.wd1.myworkdayjobs.com/Careers/job/")
    assert posting.company == "Northwind Inc."


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"total": 1, "jobPostings": {}}, "expected a list at $.jobPostings, got an object"),
        (
            {"jobPostings": [{"externalPath": "/job/x"}]},
            "expected a string at $.jobPostings[0].title",
        ),
        ([], "expected an object at $, got a list"),
    ],
)
def test_a_page_of_the_wrong_shape_names_the_path(document: object, message: str) -> None:
    adapter = make("https://northwind.wd5.myworkdayjobs.com/Careers")
    with pytest.raises(SourceError) as caught:
        adapter.parse(json.dumps(document).encode(), url="x")
    assert str(caught.value).startswith("workday: ")
    assert message in str(caught.value)
