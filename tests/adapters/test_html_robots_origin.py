"""The html adapter asks for the robots.txt of the origin the client will request, parsed by
the client's own URL parser: an IPv6 literal host works, and robots.txt rules apply to it."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from aggregator.adapters.html import ROBOTS
from aggregator.config.model import HttpConfig
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply, _Handler


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@pytest.fixture
def v6_server() -> Iterator[LocalServer]:
    """The loopback test server, listening on ::1."""
    server = LocalServer()
    server._httpd.server_close()
    try:
        server._httpd = _V6Server(("::1", 0), _Handler)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    server._httpd.daemon_threads = True
    server._httpd.app = server  # type: ignore[attr-defined]
    server._thread = threading.Thread(
        target=server._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    with server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_robots() -> Iterator[None]:
    ROBOTS.clear()
    yield
    ROBOTS.clear()


def check(url: str) -> None:
    async def go() -> None:
        async with HttpClient(HttpConfig(per_host_gap=0, retries=0)) as client:
            await ROBOTS.check(client, url)

    asyncio.run(go())


def test_robots_txt_of_an_ipv6_literal_origin_is_fetched_and_obeyed(v6_server: LocalServer) -> None:
    v6_server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private\n"))
    base = f"http://[::1]:{v6_server.port}"
    check(f"{base}/board")  # allowed
    with pytest.raises(SourceError) as caught:
        check(f"{base}/private")
    assert str(caught.value) == (
        f"robots.txt of [::1]:{v6_server.port} disallows /private for our user agent"
    )
    assert [seen.path for seen in v6_server.seen] == ["/robots.txt"]  # asked once, cached
