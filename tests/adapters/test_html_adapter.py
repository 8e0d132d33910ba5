"""The generic HTML adapter: selectors and attributes, links, next-page walks and robots.txt."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from aggregator.adapters import html
from aggregator.adapters.base import FetchResult, FetchState, option_problems
from aggregator.adapters.html import HtmlAdapter, RobotsCache
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply, Seen

PAGE_URL = "https://board.example/jobs/list?page=1"
FIELDS = {"title": "h2", "url": {"selector": "a.apply", "attr": "href"}}
UA = "aggregator-test/1.0 (+https://example.org/contact)"


@pytest.fixture(autouse=True)
def _fresh_robots_cache() -> Iterator[None]:
    """The cache is module-wide and keyed by origin; a later test may get the same port."""
    html.ROBOTS.clear()
    yield
    html.ROBOTS.clear()


def adapter(url: str = PAGE_URL, **options: Any) -> HtmlAdapter:
    merged = {"item": "li.job", "fields": FIELDS, **options}
    return HtmlAdapter(SourceConfig(name="board", adapter="html", url=url, options=merged))


def listing(title: str, href: str = "/jobs/1", extra: str = "") -> str:
    return f'<li class="job"><h2>{title}</h2><a class="apply" href="{href}">Apply</a>{extra}</li>'


def page(*items: str, after: str = "") -> bytes:
    return f"<html><body><ul>{''.join(items)}</ul>{after}</body></html>".encode()


def fetch(adapter: HtmlAdapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(
            HttpConfig(per_host_gap=0, user_agent=UA, retry_backoff=0.01)
        ) as client:
            return await adapter.fetch(client, state or FetchState())

    return asyncio.run(go())


def fetch_error(adapter: HtmlAdapter) -> str:
    with pytest.raises(SourceError) as caught:
        fetch(adapter)
    return str(caught.value)


def paths(server: LocalServer) -> list[str]:
    return [seen.path for seen in server.seen]


# Selectors and fields


def test_every_field_is_read_from_its_selector_text_or_attribute() -> None:
    item = """<li class="job" data-ref="J-7">
      <h2> Data   clean-up </h2><a class="apply" href="/jobs/7">Apply</a>
      <span class="org">Fernhollow</span><span class="where">Remote, EU</span>
      <time datetime="2026-11-20T09:30:00Z">6 days ago</time>
      <ul class="tags"><li>sql</li><li>excel</li><li>sql</li></ul>
      <span class="pay">$25/hr</span><span class="kind">Contract</span>
      <span class="remote">Remote</span><span class="hours">10 hours</span>
      <time class="closes" datetime="2026-12-05">5 Dec</time></li>"""
    fields = {
        **FIELDS,
        "id": {"selector": "li.job", "attr": "data-ref"},
        "company": ".org",
        "location": ".where",
        "posted_at": "time",
        "tags": ".tags li",
        "pay_text": ".pay",
        "employment_type": ".kind",
        "remote": ".remote",
        "duration_text": ".hours",
        "deadline": "time.closes",
    }
    (raw,) = adapter(fields=fields).parse(page(item), url=PAGE_URL)
    assert (raw.title, raw.guid, raw.url) == (
        "Data clean-up",
        "J-7",
        "https://board.example/jobs/7",
    )
    assert (raw.company, raw.location) == ("Fernhollow", "Remote, EU")
    assert raw.posted_at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert raw.tags == ("sql", "excel")
    assert (raw.pay_text, raw.employment_type, raw.remote) == ("$25/hr", "Contract", "Remote")
    assert (raw.duration_text, raw.deadline) == ("10 hours", "2026-12-05")


def test_a_plain_url_selector_reads_the_links_href_and_dates_read_their_datetime() -> None:
    item = '<li class="job"><h2><a href="gig/9">Zine art</a></h2><time>last week</time></li>'
    fields = {"title": "h2 a", "url": "h2 a", "posted_at": "time"}
    (raw,) = adapter(fields=fields).parse(page(item), url=PAGE_URL)
    assert raw.url == "https://board.example/jobs/gig/9"
    assert raw.posted_at is None  # "last week" is no date; normalization uses first-seen


def test_the_description_is_the_inner_html_with_its_links_made_absolute() -> None:
    body = '<div class="body"><p>Hi <a href="/org/1">us</a> <img src="logo.png"></p></div>'
    fields = {**FIELDS, "description": ".body"}
    (raw,) = adapter(fields=fields).parse(page(listing("Gig", extra=body)), url=PAGE_URL)
    assert raw.description_html == (
        '<p>Hi <a href="https://board.example/org/1">us</a> '
        '<img src="https://board.example/jobs/logo.png"></p>'
    )


def test_links_are_made_absolute_against_the_page_its_base_tag_or_the_base_url_option() -> None:
    items = (listing("a", "/x/1"), listing("b", "y/2"), listing("c", "https://elsewhere.example/3"))
    urls = [raw.url for raw in adapter().parse(page(*items), url=PAGE_URL)]
    assert urls == [
        "https://board.example/x/1",
        "https://board.example/jobs/y/2",
        "https://elsewhere.example/3",
    ]
    with_base = b'<html><head><base href="/mirror/"></head>' + page(listing("a", "y/2"))
    (from_tag,) = adapter().parse(with_base, url=PAGE_URL)
    assert from_tag.url == "https://board.example/mirror/y/2"
    option = adapter(base_url="https://cdn.example/board/")
    (from_option,) = option.parse(page(listing("a", "y/2")), url=PAGE_URL)
    assert from_option.url == "https://cdn.example/board/y/2"


def test_an_item_without_a_title_is_skipped() -> None:
    ad = '<li class="job"><p class="promo">Sponsored</p></li>'
    raws = adapter().parse(page(listing("First"), ad, listing("Second")), url=PAGE_URL)
    assert [raw.title for raw in raws] == ["First", "Second"]


def test_a_page_where_the_item_selector_matches_nothing_has_no_postings() -> None:
    assert adapter().parse(b"<html><body><p>No gigs today.</p></body></html>", url=PAGE_URL) == []


def test_items_that_all_lack_a_title_are_an_error_naming_the_selectors() -> None:
    body = page('<li class="job"><h3>Gig</h3></li>', '<li class="job"><h3>Gig</h3></li>')
    with pytest.raises(SourceError, match=r"2 listings matched by 'li.job'.*title.*'h2'"):
        adapter().parse(body, url=PAGE_URL)


def test_an_empty_page_is_an_error() -> None:
    with pytest.raises(SourceError, match="page is empty"):
        adapter().parse(b"  \n", url=PAGE_URL)


def test_a_latin_1_page_is_decoded_by_its_meta_charset() -> None:
    body = b'<meta charset="iso-8859-1">' + page(listing("Café")).replace(
        b"Caf\xc3\xa9", b"Caf\xe9"
    )
    (raw,) = adapter().parse(body, url=PAGE_URL)
    assert raw.title == "Café"


# Options


def problems(options: Mapping[str, Any]) -> list[str]:
    return option_problems(HtmlAdapter, PAGE_URL, options)


def test_options_need_an_item_selector_and_a_title_field() -> None:
    assert problems({"item": "li", "fields": {"title": "h2"}}) == []
    assert problems({"fields": {"title": "h2"}}) == ["options.item: required by the html adapter"]
    assert problems({"item": "li", "fields": {"url": "a"}}) == [
        "options.fields: needs a `title` selector"
    ]


def test_an_invalid_css_selector_or_unknown_field_is_a_config_error() -> None:
    (bad_item,) = problems({"item": "li[[", "fields": {"title": "h2"}})
    assert bad_item == "options.item: invalid CSS selector 'li[['"
    (bad_field,) = problems({"item": "li", "fields": {"title": {"selector": "h2:(", "attr": "x"}}})
    assert "invalid CSS selector 'h2:('" in bad_field
    (unknown,) = problems({"item": "li", "fields": {"title": "h2", "salary": ".pay"}})
    assert unknown.startswith("options.fields.salary")


# Fetching: pages


def numbered_pages(last: int) -> Any:
    def reply(seen: Seen) -> Reply:
        number = int(seen.path.partition("page=")[2] or 1)
        link = f'<a class="next" href="/board?page={number + 1}">next</a>' if number < last else ""
        return Reply(body=page(listing(f"Gig {number}", f"/gig/{number}"), after=link))

    return reply


def test_next_links_are_followed_up_to_max_pages(server: LocalServer) -> None:
    url = server.route("/board", numbered_pages(last=10))
    result = fetch(adapter(url, next="a.next", max_pages=3))
    assert paths(server) == ["/robots.txt", "/board", "/board?page=2", "/board?page=3"]
    assert [p.url for p in result.pages] == [url, f"{url}?page=2", f"{url}?page=3"]
    titles = [r.title for p in result.pages for r in adapter().parse(p.body, url=p.url)]
    assert titles == ["Gig 1", "Gig 2", "Gig 3"]


def test_the_walk_stops_at_the_last_page_or_a_link_back_to_a_page_already_read(
    server: LocalServer,
) -> None:
    url = server.route("/board", numbered_pages(last=2))
    assert len(fetch(adapter(url, next="a.next", max_pages=5)).pages) == 2
    loop = page(listing("Only"), after='<a class="next" href="/loop">again</a>')
    looping = server.route("/loop", Reply(body=loop))
    assert len(fetch(adapter(looping, next="a.next", max_pages=5)).pages) == 1


def test_without_a_next_selector_only_the_first_page_is_read(server: LocalServer) -> None:
    url = server.route("/board", numbered_pages(last=10))
    assert len(fetch(adapter(url)).pages) == 1
    assert paths(server) == ["/robots.txt", "/board"]


def test_unchanged_pages_are_not_modified(server: LocalServer) -> None:
    url = server.route("/board", numbered_pages(last=2))
    first = fetch(adapter(url, next="a.next"))
    again = fetch(adapter(url, next="a.next"), FetchState(content_hash=first.content_hash))
    assert (again.pages, again.not_modified) == ((), True)
    assert again.content_hash == first.content_hash


def test_pages_are_fetched_as_html_with_our_user_agent(server: LocalServer) -> None:
    url = server.route("/board", numbered_pages(last=1))
    fetch(adapter(url))
    board = server.seen[-1]
    assert "text/html" in board.headers["accept"]
    assert board.headers["user-agent"] == UA


# Fetching: robots.txt


def robots(server: LocalServer, text: str) -> None:
    server.route("/robots.txt", Reply(body=text.encode(), headers={"Content-Type": "text/plain"}))


def test_a_page_robots_txt_disallows_for_our_agent_is_not_fetched(server: LocalServer) -> None:
    robots(server, "User-agent: *\nAllow: /\n\nUser-agent: aggregator-test\nDisallow: /board\n")
    url = server.route("/board", numbered_pages(last=1))
    message = fetch_error(adapter(f"{url}?key=secret"))
    assert message == f"robots.txt of 127.0.0.1:{server.port} disallows /board for our user agent"
    assert paths(server) == ["/robots.txt"]


def test_a_robots_txt_that_allows_the_page_lets_it_be_fetched(server: LocalServer) -> None:
    robots(server, "User-agent: *\nDisallow: /admin\n")
    url = server.route("/board", numbered_pages(last=1))
    assert len(fetch(adapter(url)).pages) == 1


def test_a_next_page_that_robots_txt_disallows_stops_the_fetch(server: LocalServer) -> None:
    robots(server, "User-agent: *\nDisallow: /board?page=2\n")
    url = server.route("/board", numbered_pages(last=5))
    assert "disallows /board" in fetch_error(adapter(url, next="a.next"))
    assert paths(server) == ["/robots.txt", "/board"]


def test_a_missing_robots_txt_allows_everything(server: LocalServer) -> None:
    url = server.route("/board", numbered_pages(last=1))  # /robots.txt answers 404
    assert len(fetch(adapter(url)).pages) == 1


def test_a_robots_txt_server_error_disallows_everything_and_is_asked_again_next_run(
    server: LocalServer,
) -> None:
    server.route("/robots.txt", Reply(status=503, body=b"down"))
    url = server.route("/board", numbered_pages(last=1))
    assert "robots.txt of 127.0.0.1" in fetch_error(adapter(url))
    assert "unreachable (HTTP 503" in fetch_error(adapter(url))
    assert paths(server) == ["/robots.txt"] * 6  # a 503 is tried 3 times, then again next run


def test_robots_txt_is_fetched_once_per_host_across_pages_and_runs(server: LocalServer) -> None:
    robots(server, "User-agent: *\nAllow: /\n")
    url = server.route("/board", numbered_pages(last=3))
    fetch(adapter(url, next="a.next"))
    fetch(adapter(url, next="a.next"))
    assert paths(server).count("/robots.txt") == 1
    assert paths(server).count("/board") == 2


def test_cached_robots_rules_expire_after_the_ttl(server: LocalServer) -> None:
    robots(server, "User-agent: *\nAllow: /\n")
    now = [0.0]
    cache = RobotsCache(ttl=60, clock=lambda: now[0])
    url = server.url("/board")

    async def check_at(*times: float) -> None:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            for moment in times:
                now[0] = moment
                await cache.check(client, url)

    asyncio.run(check_at(0, 30, 59, 61, 100))
    assert paths(server) == ["/robots.txt", "/robots.txt"]
