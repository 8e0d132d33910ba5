"""Every URL and header the client is asked to send is checked first: a bad one is a clear
per-source error (never a raw httpx or anyio exception), and it never quotes a header value."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aggregator.adapters.base import FetchResult, FetchState
from aggregator.adapters.catalogue import resolve
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply

FAST = HttpConfig(per_host_gap=0, retries=0, total_timeout=10)
TOKEN = "canary-hdr-7e3c90aa"


def get(url: str, headers: dict[str, str] | None = None) -> None:
    async def go() -> None:
        async with HttpClient(FAST) as client:
            await client.get(url, headers=headers)

    asyncio.run(go())


def fetch(raw: dict[str, Any]) -> FetchResult:
    resolved = resolve(SourceConfig.model_validate({"name": "board", **raw}))

    async def go() -> FetchResult:
        async with HttpClient(FAST) as client:
            return await resolved.adapter(resolved.config).scoped_fetch(client, FetchState())

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("location", "problem"),
    [
        ("http:127.0.0.2:{port}/x", "invalid redirect"),  # httpx cannot join it to the page
        ("http://127.0.0.2:99999999/x", "port 99999999 is out of range"),
        ("http://127.0.0.2:65536/x", "port 65536 is out of range"),
        ("//127.0.0.2:70000/x", "port 70000 is out of range"),
    ],
)
def test_a_redirect_to_a_url_that_cannot_be_requested_is_a_clear_error(
    server: LocalServer, location: str, problem: str
) -> None:
    url = server.route("/r", Reply(status=302, headers={"Location": location.format(port=1)}))
    with pytest.raises(FetchError) as caught:
        get(url)
    assert problem in str(caught.value)
    assert f"http://127.0.0.1:{server.port}/r" in str(caught.value)


@pytest.mark.parametrize("port", ["0", "65536", "99999999"])
def test_a_source_url_with_an_impossible_port_is_a_clear_error(port: str) -> None:
    with pytest.raises(FetchError) as caught:
        get(f"http://127.0.0.1:{port}/feed")
    assert str(caught.value) == (
        f"invalid URL http://127.0.0.1:{port}/feed: port {port} is out of range (1 to 65535)"
    )


@pytest.mark.parametrize(
    "value",
    [
        f"{TOKEN}\x00",  # NUL: h11's error would quote it as b'...\\x00', past the mask
        f"Bearer {TOKEN}\r\n",  # a secrets file's line end
        f"{TOKEN}\x01tail",
        f"t\u00f6ken-{TOKEN}",  # not ASCII: httpx would raise a bare UnicodeEncodeError
        f"{TOKEN}\u2028",
    ],
)
def test_a_header_value_http_cannot_carry_is_refused_naming_the_header_only(
    server: LocalServer, value: str
) -> None:
    url = server.route("/jobs", Reply(body=b'{"data": []}'))
    raw = {"adapter": "json_api", "url": url, "options": {"headers": {"X-Api-Token": value}}}
    with pytest.raises(SourceError) as caught:
        fetch(raw)
    message = str(caught.value)
    assert message == (
        "the X-Api-Token header holds a character HTTP headers cannot carry (a line break, "
        "another control character or a non-ASCII character); check the source's options"
    )
    assert server.seen == []


def test_spaces_around_a_header_value_are_not_part_of_it(server: LocalServer) -> None:
    url = server.route("/jobs", Reply(body=b'{"data": []}'))
    fetch(
        {"adapter": "json_api", "url": url, "options": {"headers": {"X-Api-Token": f" {TOKEN}\t"}}}
    )
    assert server.seen[0].headers["x-api-token"] == TOKEN


@pytest.mark.parametrize("name", ["X Api Token", "X-Api-Token:", "X-T\u00f6ken", ""])
def test_a_header_name_that_is_no_token_is_refused(server: LocalServer, name: str) -> None:
    url = server.route("/jobs", Reply(body=b'{"data": []}'))
    with pytest.raises(SourceError) as caught:
        fetch({"adapter": "json_api", "url": url, "options": {"headers": {name: TOKEN}}})
    assert str(caught.value) == (
        f"the header name {name!r} is not a valid HTTP header name; check the source's options"
    )
    assert server.seen == []


def test_an_etag_that_http_cannot_send_back_is_not_sent_back(server: LocalServer) -> None:
    # The server's own validator, stored and sent back next time: a byte that is not ASCII
    # must not fail every later fetch of the source.
    url = server.route("/feed", Reply(body=b"<rss/>", headers={"ETag": '"caf\u00e9"'}))

    async def go() -> None:
        async with HttpClient(FAST) as client:
            first = await client.get(url)
            etag = first.headers["ETag"]
            assert etag == '"caf\u00e9"'
            await client.get(url, etag=etag, last_modified="Tue, 1 Dec 2026 \u00e9")

    asyncio.run(go())
    assert "if-none-match" not in server.seen[1].headers
    assert "if-modified-since" not in server.seen[1].headers
