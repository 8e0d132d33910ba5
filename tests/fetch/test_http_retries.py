"""The shared client's retries, Retry-After handling and private-address refusals."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.config.model import HttpConfig
from aggregator.errors import FetchError
from aggregator.fetch.client import HttpClient, HttpResponse
from aggregator.fetch.hints import max_age, retry_after
from aggregator.fetch.netguard import IPAddress, is_private_address
from aggregator.fetch.scope import private_policy
from tests.support.http_server import LocalServer, Reply, Seen

FAST = HttpConfig(per_host_gap=0, retry_backoff=0.05)


def loopback_is_public(address: IPAddress) -> bool:
    """127.0.0.1 plays a public host; every other private range stays private."""
    return is_private_address(address) and str(address) != "127.0.0.1"


def fetch(
    url: str, config: HttpConfig = FAST, *, allow: bool | None = None, public_loopback: bool = False
) -> HttpResponse:
    async def go() -> HttpResponse:
        check = loopback_is_public if public_loopback else is_private_address
        async with HttpClient(config, is_private=check) as client:
            with private_policy(allow):
                return await client.get(url)

    return asyncio.run(go())


def fetch_error(
    url: str, config: HttpConfig = FAST, *, allow: bool | None = None, public_loopback: bool = False
) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, config, allow=allow, public_loopback=public_loopback)
    return caught.value


def flaky(failures: list[Reply]) -> Callable[[Seen], Reply]:
    def answer(_seen: Seen) -> Reply:
        return failures.pop(0) if failures else Reply(body=b"finally")

    return answer


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_a_transient_status_is_retried_until_it_succeeds(server: LocalServer, status: int) -> None:
    url = server.route("/feed", flaky([Reply(status=status), Reply(status=status)]))
    assert fetch(url).body == b"finally"
    assert len(server.seen) == 3


def test_a_transient_status_gives_up_after_two_retries_and_says_so(server: LocalServer) -> None:
    url = server.route("/feed", Reply(status=503))
    error = fetch_error(url)
    assert str(error) == f"HTTP 503 from {url} (tried 3 times)"
    assert (error.status, len(server.seen)) == (503, 3)


def test_a_client_error_is_not_retried(server: LocalServer) -> None:
    url = server.route("/feed", Reply(status=404))
    assert fetch_error(url).status == 404
    assert len(server.seen) == 1


def test_retries_back_off_exponentially(server: LocalServer) -> None:
    url = server.route("/feed", Reply(status=500))
    fetch_error(url, HttpConfig(per_host_gap=0, retry_backoff=0.2))
    first, second, third = (seen.at for seen in server.seen)
    assert 0.09 <= second - first < 0.5  # 0.2 s with jitter in [0.5, 1]
    assert 0.19 <= third - second < 0.9  # 0.4 s with jitter


def test_a_short_retry_after_is_waited_for(server: LocalServer) -> None:
    url = server.route("/feed", flaky([Reply(status=429, headers={"Retry-After": "1"})]))
    assert fetch(url).body == b"finally"
    first, second = (seen.at for seen in server.seen)
    assert second - first >= 0.95


def test_a_long_retry_after_is_not_waited_for_but_reported(server: LocalServer) -> None:
    url = server.route("/feed", Reply(status=503, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    error = fetch_error(url)
    assert time.monotonic() - started < 2
    assert (len(server.seen), error.retry_after) == (1, 3600.0)


def test_retries_never_run_past_the_total_deadline(server: LocalServer) -> None:
    url = server.route("/feed", Reply(status=500))
    config = HttpConfig(per_host_gap=0, retry_backoff=5, total_timeout=3)
    started = time.monotonic()
    fetch_error(url, config)
    assert time.monotonic() - started < 3
    assert len(server.seen) <= 2


def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed")
    assert str(error) == "connection refused (127.0.0.1) (tried 3 times)"


def test_allow_private_false_refuses_a_loopback_url_before_connecting(server: LocalServer) -> None:
    url = server.route("/feed", Reply(body=b"secret"))
    error = fetch_error(url, allow=False)
    assert (
        "127.0.0.1 is the private address 127.0.0.1 (the source has allow_private: false)"
        in str(error)
    )
    assert server.seen == []


def test_the_default_policy_trusts_a_private_url_the_user_wrote(server: LocalServer) -> None:
    url = server.route("/feed", Reply(body=b"local bridge"))
    assert fetch(url).body == b"local bridge"


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/admin",
        "http://[::1]:8080/",
        "http://[::ffff:192.168.1.1]/",
        "http://224.0.0.1/",
    ],
)
@pytest.mark.parametrize("allow", [None, False])
def test_a_redirect_from_a_public_host_into_a_private_range_is_refused(
    server: LocalServer, target: str, allow: bool | None
) -> None:
    url = server.route("/feed", Reply(status=302, headers={"Location": target}))
    error = fetch_error(url, allow=allow, public_loopback=True)
    assert "private address" in str(error)
    assert len(server.seen) == 1


def test_allow_private_true_follows_a_redirect_into_a_private_range(server: LocalServer) -> None:
    server.route("/feed", Reply(status=302, headers={"Location": "/inner"}))
    inner = server.route("/inner", Reply(body=b"inside"))
    redirect = server.route("/away", Reply(status=302, headers={"Location": inner}))
    assert fetch(redirect, allow=True, public_loopback=False).body == b"inside"


def test_a_name_resolving_to_a_private_address_is_refused_when_not_allowed() -> None:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.1.1.1")]

    async def go() -> None:
        async with HttpClient(FAST, resolver=resolver) as client:
            with private_policy(False):
                await client.get("http://intranet.example/feed")

    with pytest.raises(FetchError, match=r"intranet\.example is the private address 10\.1\.1\.1"):
        asyncio.run(go())


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    assert retry_after({"Retry-After": "120"}, now=now) == 120.0
    later = {"Retry-After": "Mon, 06 Jan 2025 10:05:00 GMT"}
    assert retry_after(later, now=now) == 300.0
    assert retry_after({"Retry-After": "soon"}, now=now) is None
    assert retry_after({}, now=now) is None
    # 400 digits would overflow float(); the wait is capped by whoever schedules it.
    assert retry_after({"Retry-After": "9" * 400}, now=now) == 1e12


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("public, max-age=900", timedelta(seconds=900)),
        ('s-maxage="60"', timedelta(seconds=60)),
        ("max-age=0", None),
        ("no-store, max-age=900", None),
        ("", None),
    ],
)
def test_max_age_reads_cache_control(header: str, expected: timedelta | None) -> None:
    assert max_age({"Cache-Control": header}) == expected
