"""The shared HTTP client against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import socket
import time
from typing import Any
from urllib.parse import parse_qs

import pytest

from aggregator.config.model import HttpConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient, HttpResponse, safe_url
from tests.support.http_server import LocalServer, Reply, Seen


def fetch(url: str, config: HttpConfig | None = None, **options: Any) -> HttpResponse:
    async def go() -> HttpResponse:
        async with HttpClient(config or HttpConfig(per_host_gap=0)) as client:
            return await client.get(url, **options)

    return asyncio.run(go())


def fetch_error(url: str, config: HttpConfig | None = None, **options: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, config, **options)
    return caught.value


def test_get_returns_status_body_headers_and_url(server: LocalServer) -> None:
    url = server.route("/feed", Reply(body=b"<rss/>", headers={"Content-Type": "text/xml"}))
    response = fetch(url)
    assert (response.status, response.body, response.url) == (200, b"<rss/>", url)
    assert response.headers["content-type"] == "text/xml"
    assert response.not_modified is False


def test_get_sends_the_configured_user_agent_and_extra_headers(server: LocalServer) -> None:
    url = server.route("/feed", Reply(body=b"ok"))
    fetch(url, HttpConfig(user_agent="probe/1.0", per_host_gap=0), headers={"Accept": "a/b"})
    assert server.seen[0].headers["user-agent"] == "probe/1.0"
    assert server.seen[0].headers["accept"] == "a/b"


def _conditional(seen: Seen) -> Reply:
    if seen.headers.get("if-none-match") == '"v1"':
        return Reply(status=304)
    if seen.headers.get("if-modified-since") == "Mon, 06 Jan 2025 10:00:00 GMT":
        return Reply(status=304)
    return Reply(body=b"fresh", headers={"ETag": '"v1"'})


def test_get_with_a_matching_etag_is_not_modified_with_an_empty_body(server: LocalServer) -> None:
    url = server.route("/feed", _conditional)
    response = fetch(url, etag='"v1"')
    assert (response.status, response.not_modified, response.body) == (304, True, b"")
    assert server.seen[0].headers["if-none-match"] == '"v1"'


def test_get_with_a_matching_last_modified_is_not_modified(server: LocalServer) -> None:
    url = server.route("/feed", _conditional)
    response = fetch(url, last_modified="Mon, 06 Jan 2025 10:00:00 GMT")
    assert response.not_modified is True


def test_get_with_a_stale_etag_returns_the_new_body(server: LocalServer) -> None:
    url = server.route("/feed", _conditional)
    response = fetch(url, etag='"v0"')
    assert (response.not_modified, response.body) == (False, b"fresh")


def test_get_follows_a_relative_redirect_and_reports_the_final_url(server: LocalServer) -> None:
    server.route("/old", Reply(status=301, headers={"Location": "/new"}))
    new = server.route("/new", Reply(body=b"moved"))
    response = fetch(server.url("/old"))
    assert (response.url, response.body) == (new, b"moved")


def test_error_status_raises_http_error_naming_status_and_url_without_secrets(
    server: LocalServer,
) -> None:
    url = f"http://user:hunter2@127.0.0.1:{server.port}/missing?token=s3cret"
    error = fetch_error(url)
    assert str(error) == f"HTTP 404 from http://127.0.0.1:{server.port}/missing"
    assert error.status == 404
    assert isinstance(error, SourceError)


def test_redirect_loop_raises_too_many_redirects(server: LocalServer) -> None:
    url = server.route("/loop", Reply(status=302, headers={"Location": "/loop"}))
    error = fetch_error(url, HttpConfig(max_redirects=3, per_host_gap=0))
    assert "too many redirects (more than 3)" in str(error)
    assert len(server.seen) == 4


def test_redirect_to_ftp_is_refused(server: LocalServer) -> None:
    url = server.route("/away", Reply(status=302, headers={"Location": "ftp://files.example/x"}))
    message = str(fetch_error(url))
    assert message.startswith(f"redirect from {url} to unsupported URL scheme 'ftp'")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("/relative/feed", "unsupported URL scheme ''"),
        ("http:///no-host", "no host"),
        ("http://example.com:xx/", "invalid URL: Invalid port: 'xx'"),
    ],
)
def test_a_url_that_is_not_absolute_http_is_refused_before_any_request(
    url: str, message: str
) -> None:
    assert message in str(fetch_error(url))


def test_body_declared_longer_than_the_cap_is_refused(server: LocalServer) -> None:
    url = server.route("/big", Reply(body=b"x" * 2048))
    assert str(fetch_error(url, max_bytes=1024)) == "body exceeds 1024 bytes"


def test_streamed_body_longer_than_the_cap_is_cut_off(server: LocalServer) -> None:
    url = server.route("/stream", Reply(chunks=[b"y" * 1000] * 5))
    assert str(fetch_error(url, max_bytes=2500)) == "body exceeds 2500 bytes"


def test_gzip_bomb_stops_at_the_cap(server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    assert str(fetch_error(url, max_bytes=1_000_000)) == "body exceeds 1000000 bytes"


def test_gzip_body_under_the_cap_is_decoded(server: LocalServer) -> None:
    body = gzip.compress(b"<rss>" + b" " * 5000 + b"</rss>")
    url = server.route("/gz", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    assert fetch(url, max_bytes=6000).body.startswith(b"<rss>     ")


def test_default_cap_comes_from_the_config(server: LocalServer) -> None:
    url = server.route("/big", Reply(chunks=[b"z" * 600] * 2))
    config = HttpConfig(max_body_bytes=1000, per_host_gap=0)
    assert str(fetch_error(url, config)) == "body exceeds 1000 bytes"


def test_slow_body_hits_the_total_deadline(server: LocalServer) -> None:
    url = server.route("/slow", Reply(chunks=[b"."] * 50, delay=0.1))
    started = time.monotonic()
    error = fetch_error(url, HttpConfig(total_timeout=1, per_host_gap=0))
    assert str(error) == "timed out after 1 s (127.0.0.1)"
    assert time.monotonic() - started < 3


def test_connection_refused_names_the_host() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = HttpConfig(retries=0, per_host_gap=0)
    error = fetch_error(f"http://127.0.0.1:{port}/feed", config)
    assert str(error) == "connection refused (127.0.0.1)"


def _fetch_all(urls: list[str], config: HttpConfig) -> list[HttpResponse]:
    async def go() -> list[HttpResponse]:
        async with HttpClient(config) as client:
            return await asyncio.gather(*(client.get(url) for url in urls))

    return asyncio.run(go())


def test_requests_to_one_host_are_spaced_by_the_per_host_gap(server: LocalServer) -> None:
    url = server.route("/feed", Reply(body=b"ok"))
    _fetch_all([url, url, url], HttpConfig(per_host_gap=0.3))
    arrivals = [seen.at for seen in server.seen]
    assert len(arrivals) == 3
    assert all(later - earlier >= 0.29 for earlier, later in itertools.pairwise(arrivals))


def test_requests_to_different_hosts_are_not_spaced(server: LocalServer) -> None:
    server.route("/feed", Reply(body=b"ok"))
    urls = [server.url("/feed"), server.url("/feed", host="localhost")]
    _fetch_all(urls, HttpConfig(per_host_gap=2))
    first, second = sorted(seen.at for seen in server.seen)
    assert second - first < 1


def test_global_concurrency_limit_serializes_requests(server: LocalServer) -> None:
    server.route("/slow", Reply(chunks=[b"a", b"b"], delay=0.2))
    urls = [server.url("/slow"), server.url("/slow", host="localhost")]
    started = time.monotonic()
    _fetch_all(urls, HttpConfig(concurrency=1, per_host_gap=0))
    assert time.monotonic() - started >= 0.75  # two requests of ~0.4 s, one after the other


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://u:p@Example.com/a/b?key=1#frag", "https://example.com/a/b"),
        ("http://127.0.0.1:8080/feed?x=y", "http://127.0.0.1:8080/feed"),
        ("http://[::1]:8080/feed", "http://[::1]:8080/feed"),
        ("http://example.com:xx/", "<invalid URL>"),
    ],
)
def test_safe_url_keeps_only_scheme_host_port_and_path(url: str, expected: str) -> None:
    assert safe_url(url) == expected


def test_post_json_sends_the_body_and_returns_the_answer(server: LocalServer) -> None:
    url = server.route("/login", Reply(body=b'{"accessJwt": "t"}'))

    async def post() -> HttpResponse:
        async with HttpClient() as client:
            return await client.post_json(url, {"identifier": "me", "password": "pw"})

    response = asyncio.run(post())
    assert response.body == b'{"accessJwt": "t"}'
    (seen,) = server.seen
    assert (seen.method, json.loads(seen.body)) == ("POST", {"identifier": "me", "password": "pw"})
    assert seen.headers["content-type"] == "application/json"


def test_post_json_refuses_to_follow_a_redirect_and_hides_the_body(server: LocalServer) -> None:
    url = server.route("/login", Reply(status=307, headers={"Location": "/elsewhere"}))

    async def post() -> HttpResponse:
        async with HttpClient() as client:
            return await client.post_json(url, {"password": "Sup3rSecret"})

    with pytest.raises(FetchError, match="refusing to follow a redirect of a POST") as caught:
        asyncio.run(post())
    assert "Sup3rSecret" not in str(caught.value)
    assert len(server.seen) == 1


def test_post_form_sends_an_urlencoded_body_and_refuses_redirects(server: LocalServer) -> None:
    token = server.route("/token", Reply(body=b'{"access_token": "t"}'))
    moved = server.route("/moved", Reply(status=302, headers={"Location": "/token"}))
    form = {"grant_type": "client_credentials", "client_secret": "s3cr&t=x"}

    async def post(url: str) -> HttpResponse:
        async with HttpClient() as client:
            return await client.post_form(url, form)

    assert asyncio.run(post(token)).body == b'{"access_token": "t"}'
    seen = server.seen[0]
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(seen.body.decode()) == {k: [v] for k, v in form.items()}
    with pytest.raises(FetchError, match="refusing to follow a redirect of a POST") as caught:
        asyncio.run(post(moved))
    assert "s3cr" not in str(caught.value)
    assert len(server.seen) == 2
