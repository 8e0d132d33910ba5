"""Proxies (http.proxy, HTTP_PROXY and NO_PROXY) still work beside the guard's own pools."""

from __future__ import annotations

import asyncio

import pytest

from aggregator.config.model import HttpConfig
from aggregator.errors import FetchError
from aggregator.fetch.client import HttpClient, HttpResponse
from tests.support.http_server import LocalServer, Reply

FAST = HttpConfig(per_host_gap=0, retries=0)
# Nothing listens here: a request that bypassed the proxy would be refused (and stays local).
TARGET = "http://127.0.0.2:9/feed"


def get(url: str, config: HttpConfig = FAST) -> HttpResponse:
    async def go() -> HttpResponse:
        async with HttpClient(config) as client:
            return await client.get(url)

    return asyncio.run(go())


def test_the_environments_proxy_is_used(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/feed", Reply(body=b"via proxy"))
    monkeypatch.setenv("HTTP_PROXY", server.url())
    assert get(TARGET).body == b"via proxy"
    assert [seen.path for seen in server.seen] == [TARGET]


def test_the_configured_proxy_is_used(server: LocalServer) -> None:
    server.route("/feed", Reply(body=b"via proxy"))
    config = HttpConfig(per_host_gap=0, retries=0, proxy=server.url())
    assert get(TARGET, config).body == b"via proxy"
    assert [seen.path for seen in server.seen] == [TARGET]


def test_no_proxy_hosts_are_fetched_directly(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = server.route("/feed", Reply(body=b"direct"))
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert get(url).body == b"direct"


def test_a_redirect_through_a_proxy_is_checked_before_it_is_sent(server: LocalServer) -> None:
    """The proxy dials, not us: the guard resolves and checks the name first instead."""
    server.route("/feed", Reply(status=302, headers={"Location": "http://10.0.0.1/admin"}))
    config = HttpConfig(per_host_gap=0, retries=0, proxy=server.url())
    with pytest.raises(FetchError, match=r"private address 10\.0\.0\.1"):
        get(TARGET, config)
    assert [seen.path for seen in server.seen] == [TARGET]
