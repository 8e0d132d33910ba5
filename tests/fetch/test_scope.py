"""The fetch scope: pagination stays on the source's origins, credentials go only there."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aggregator.adapters.base import FetchResult, FetchState
from aggregator.adapters.catalogue import resolve
from aggregator.adapters.html import ROBOTS
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from aggregator.fetch.netguard import IPAddress, is_private_address
from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply, Seen

FAST = HttpConfig(per_host_gap=0, retries=0)
KEY = "canary-key-5e1f0c"  # a query-string API key
TOKEN = "canary-token-9b2d47"  # a header API key
PASSWORD = "canary-pass-77aa01"  # URL userinfo


@pytest.fixture
def other() -> Iterator[LocalServer]:
    """A second origin (same address, another port): a hostile or unrelated site."""
    with LocalServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_robots() -> Iterator[None]:
    ROBOTS.clear()
    yield
    ROBOTS.clear()


def loopback_is_public(address: IPAddress) -> bool:
    return str(address) != "127.0.0.1" and is_private_address(address)


def fetch(
    raw: dict[str, Any], *, is_private: Callable[[IPAddress], bool] = is_private_address
) -> FetchResult:
    resolved = resolve(SourceConfig.model_validate({"name": "board", **raw}))

    async def go() -> FetchResult:
        async with HttpClient(FAST, is_private=is_private) as client:
            return await resolved.adapter(resolved.config).fetch(client, FetchState())

    return asyncio.run(go())


def fetch_error(raw: dict[str, Any], **kwargs: Any) -> str:
    with pytest.raises(SourceError) as caught:
        fetch(raw, **kwargs)
    return str(caught.value)


def json_page(document: object, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(document).encode()
    return Reply(body=body, headers={"Content-Type": "application/json", **(headers or {})})


def credentials(seen: Seen) -> list[str]:
    """Every canary a request carried, wherever it was."""
    where = seen.path + " " + " ".join(f"{k}: {v}" for k, v in seen.headers.items())
    return [c for c in (KEY, TOKEN, PASSWORD, "Basic ") if c in where]


def json_api(url: str, pagination: dict[str, Any], **keys: Any) -> dict[str, Any]:
    return {
        "adapter": "json_api",
        "url": url,
        "options": {
            "records": "data",
            "params": {"api_key": KEY},
            "headers": {"X-Api-Token": TOKEN},
            "pagination": pagination,
        },
        **keys,
    }


def offsite_message(home: LocalServer, other: LocalServer) -> str:
    return (
        f"http://127.0.0.1:{other.port} is not the source's own origin "
        f"(http://127.0.0.1:{home.port}); set allow_offsite: true on the source"
    )


# Pagination that leaves the home origin


def test_a_next_link_to_another_origin_stops_the_fetch(
    server: LocalServer, other: LocalServer
) -> None:
    other.route("/steal", json_page({"data": [{"title": "B"}]}))
    next_page = other.url("/steal")
    url = server.route("/jobs", json_page({"data": [{"title": "A"}], "links": {"next": next_page}}))
    error = fetch_error(json_api(url, {"type": "next_link", "path": "links.next"}))
    assert offsite_message(server, other) in error
    assert other.seen == []


def test_a_link_header_to_another_origin_stops_the_fetch(
    server: LocalServer, other: LocalServer
) -> None:
    link = f'<{other.url("/steal")}>; rel="next"'
    url = server.route("/jobs", json_page({"data": [{"title": "A"}]}, {"Link": link}))
    error = fetch_error(json_api(url, {"type": "link_header"}))
    assert offsite_message(server, other) in error
    assert other.seen == []


def test_arbeitnows_links_next_to_another_origin_stops_the_fetch(
    server: LocalServer, other: LocalServer
) -> None:
    document = {"data": [{"title": "A", "slug": "a"}], "links": {"next": other.url("/p2")}}
    url = server.route("/api/job-board-api", json_page(document))
    error = fetch_error({"adapter": "arbeitnow", "url": url})
    assert offsite_message(server, other) in error
    assert other.seen == []


def html_board(next_href: str) -> Reply:
    body = (
        f'<ul><li class="job"><a href="/j/1">Job</a></li></ul><a class="next" href="{next_href}">'
    )
    return Reply(body=body.encode(), headers={"Content-Type": "text/html"})


def html_source(url: str, **keys: Any) -> dict[str, Any]:
    options = {"item": "li.job", "fields": {"title": "a", "url": "a"}, "next": "a.next"}
    return {"adapter": "html", "url": url, "options": options, **keys}


def test_an_html_next_page_on_another_origin_stops_the_fetch_before_its_robots_txt(
    server: LocalServer, other: LocalServer
) -> None:
    url = server.route("/board", html_board(other.url("/board")))
    error = fetch_error(html_source(url))
    assert offsite_message(server, other) in error
    assert other.seen == []


def test_a_next_page_on_the_same_origin_is_followed_with_its_credentials(
    server: LocalServer,
) -> None:
    second = server.route("/p2", json_page({"data": [{"title": "B"}]}))
    url = server.route("/jobs", json_page({"data": [{"title": "A"}], "links": {"next": second}}))
    result = fetch(json_api(url, {"type": "next_link", "path": "links.next"}))
    assert len(result.pages) == 2
    assert [credentials(seen) for seen in server.seen] == [[KEY, TOKEN], [TOKEN]]


# allow_offsite: other origins are fetched, through the guard, without credentials


def test_with_allow_offsite_a_next_page_on_a_private_address_is_still_refused(
    server: LocalServer, other: LocalServer
) -> None:
    other.route("/p2", json_page({"data": [{"title": "B"}]}))
    document = {"data": [{"title": "A"}], "links": {"next": other.url("/p2")}}
    url = server.route("/jobs", json_page(document))
    raw = json_api(url, {"type": "next_link", "path": "links.next"}, allow_offsite=True)
    error = fetch_error(raw)
    assert "127.0.0.1 is the private address 127.0.0.1" in error
    assert "set allow_private: true" in error
    assert other.seen == []


def test_with_allow_offsite_a_public_next_page_is_fetched_without_credentials(
    server: LocalServer, other: LocalServer
) -> None:
    # The hostile page echoes the key it wants back into its own next link.
    other.route("/p2", json_page({"data": [{"title": "B"}]}))
    document = {"data": [{"title": "A"}], "links": {"next": other.url(f"/p2?api_key={KEY}&x=1")}}
    url = server.route("/jobs", json_page(document))
    raw = json_api(url, {"type": "next_link", "path": "links.next"}, allow_offsite=True)
    result = fetch(raw, is_private=loopback_is_public)
    assert len(result.pages) == 2
    (seen,) = other.seen
    assert credentials(seen) == []
    assert seen.path == "/p2?x=1"


def test_with_allow_offsite_a_next_page_whose_path_holds_a_key_is_refused(
    server: LocalServer, other: LocalServer
) -> None:
    other.route(f"/p2/{KEY}", json_page({"data": [{"title": "B"}]}))
    document = {"data": [{"title": "A"}], "links": {"next": other.url(f"/p2/{KEY}")}}
    url = server.route("/jobs", json_page(document))
    raw = json_api(url, {"type": "next_link", "path": "links.next"}, allow_offsite=True)
    error = fetch_error(raw, is_private=loopback_is_public)
    assert "holds one of the source's credentials" in error
    assert KEY not in error
    assert other.seen == []


def test_with_allow_offsite_an_html_next_page_and_its_robots_txt_carry_no_credentials(
    server: LocalServer, other: LocalServer
) -> None:
    other.route("/board", html_board("/board"))
    url = server.route("/board", html_board(other.url("/board")))
    raw = html_source(url, allow_offsite=True)
    raw["url"] = url.replace("http://", f"http://me:{PASSWORD}@")
    result = fetch(raw, is_private=loopback_is_public)
    assert len(result.pages) == 2
    assert [seen.path for seen in other.seen] == ["/robots.txt", "/board"]
    assert all(credentials(seen) == [] for seen in other.seen)
    home_page = next(seen for seen in server.seen if seen.path == "/board")
    assert home_page.headers["authorization"].startswith("Basic ")


# Redirects may leave the origin (feeds move), but credentials stay home


def test_a_cross_origin_redirect_is_followed_without_the_sources_credentials(
    server: LocalServer, other: LocalServer
) -> None:
    # Many servers keep the query when they redirect: the key must still not go along.
    moved = other.route("/moved", json_page({"data": [{"title": "A"}]}))
    url = server.route("/jobs", Reply(status=301, headers={"Location": f"{moved}?api_key={KEY}"}))
    raw = json_api(url, {"type": "none"})
    raw["url"] = url.replace("http://", f"http://me:{PASSWORD}@")
    result = fetch(raw, is_private=loopback_is_public)
    assert len(result.pages) == 1
    (seen,) = other.seen
    assert credentials(seen) == []
    assert "authorization" not in seen.headers
    assert credentials(server.seen[0]) == [KEY, TOKEN, "Basic "]


def test_a_redirect_back_home_after_leaving_it_carries_no_credentials(
    server: LocalServer, other: LocalServer
) -> None:
    back = server.route("/back", json_page({"data": [{"title": "A"}]}))
    bounce = other.route("/bounce", Reply(status=302, headers={"Location": back}))
    url = server.route("/jobs", Reply(status=302, headers={"Location": bounce}))
    fetch(json_api(url, {"type": "none"}), is_private=loopback_is_public)
    assert [seen.path.split("?")[0] for seen in server.seen] == ["/jobs", "/back"]
    assert credentials(server.seen[1]) == []
    assert credentials(other.seen[0]) == []


def test_a_cross_origin_redirect_to_a_private_address_is_refused(
    server: LocalServer, other: LocalServer
) -> None:
    moved = other.route("/moved", json_page({"data": [{"title": "A"}]}))
    url = server.route("/jobs", Reply(status=301, headers={"Location": moved}))
    error = fetch_error(json_api(url, {"type": "none"}))
    assert "refusing a redirect from" in error
    assert other.seen == []


def test_a_bearer_token_and_a_usajobs_key_stay_home(
    server: LocalServer, other: LocalServer
) -> None:
    moved = other.route("/moved", json_page({"SearchResult": {"SearchResultItems": []}}))
    url = server.route("/api/search", Reply(status=302, headers={"Location": moved}))
    raw = {
        "adapter": "usajobs",
        "url": url,
        "options": {"api_key": TOKEN, "email": "me@example.com"},
    }
    fetch(raw, is_private=loopback_is_public)
    assert server.seen[0].headers["authorization-key"] == TOKEN
    (seen,) = other.seen
    assert credentials(seen) == []
    assert "me@example.com" not in seen.headers.get("user-agent", "")


def test_cookies_set_by_one_origin_are_not_sent_to_another(
    server: LocalServer, other: LocalServer
) -> None:
    moved = other.route("/moved", json_page({"data": [{"title": "A"}]}))
    cookie = {"Set-Cookie": f"session={TOKEN}; Path=/", "Location": moved}
    url = server.route("/jobs", Reply(status=302, headers=cookie))
    fetch(json_api(url, {"type": "none"}), is_private=loopback_is_public)
    (seen,) = other.seen
    assert "cookie" not in seen.headers


@pytest.mark.parametrize("kind", ["html", "json_api"])
def test_links_made_absolute_against_a_page_never_carry_the_urls_password(
    server: LocalServer, kind: str
) -> None:
    """Relative links resolve against the page URL: its userinfo must not end up in every
    listing (stored, and sent in alerts)."""
    if kind == "html":
        url = server.route("/board", html_board("/board"))
        raw = html_source(url)
    else:
        url = server.route("/jobs", json_page({"data": [{"title": "A", "url": "/j/1"}]}))
        raw = json_api(url, {"type": "page", "size": 5})
        raw["options"]["fields"] = {"title": "title", "url": "url"}
    raw["url"] = url.replace("http://", f"http://me:{PASSWORD}@")
    resolved = resolve(SourceConfig.model_validate({"name": "board", **raw}))
    adapter = resolved.adapter(resolved.config)
    result = fetch(raw)
    links = [p.url for page in result.pages for p in adapter.parse(page.body, url=page.url)]
    assert links == [f"http://127.0.0.1:{server.port}/j/1"]
    assert all(PASSWORD not in page.url for page in result.pages)


def test_sources_test_fetches_within_the_same_scope(
    tmp_path: Path, server: LocalServer, other: LocalServer
) -> None:
    """`aggregate sources test` (a live fetch) goes through the scope like a run."""
    document = {"data": [{"title": "A"}], "links": {"next": other.url("/p2")}}
    url = server.route("/jobs", json_page(document))
    result = run_cli(
        "sources", "test", "--adapter", "json_api", "--url", url,
        "--option", "records=data",
        "--option", "pagination={type: next_link, path: links.next}",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert offsite_message(server, other) in result.stderr
    assert other.seen == []
