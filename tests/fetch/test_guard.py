"""The request guard: which addresses count as private, checked on the address connected to."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable

import pytest

from aggregator.config.model import HttpConfig
from aggregator.errors import FetchError
from aggregator.fetch.client import HttpClient, HttpResponse
from aggregator.fetch.netguard import IPAddress, is_private_address, resolve_host
from aggregator.fetch.scope import FetchScope, fetch_scope
from tests.support.http_server import LocalServer, Reply

FAST = HttpConfig(per_host_gap=0, retry_backoff=0.05)

# Addresses no public feed may send us to. Each is written as a DNS answer would give it.
NOT_PUBLIC = [
    "100.64.0.1",  # CGNAT, RFC 6598
    "100.127.255.254",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "127.0.0.2",
    "0.0.0.0",
    "192.0.0.1",  # IETF protocol assignments
    "198.18.0.1",  # benchmarking
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "224.0.0.1",  # multicast: is_global says True in Python 3.11
    "::1",
    "::",
    "fe80::1",  # link-local
    "fc00::1",  # unique-local
    "fd12:3456::1",
    "fec0::1",  # site-local: is_global says True
    "ff02::1",  # multicast: is_global says True
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:127.0.0.1",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64 prefix
    "2002:7f00:1::",  # 6to4 of 127.0.0.1: is_global says True
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:db8::1",  # documentation
    "2001::1",  # Teredo
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_an_address_that_is_not_globally_routable_is_private(address: str) -> None:
    assert is_private_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_a_global_unicast_address_is_public_even_inside_an_embedding(address: str) -> None:
    assert not is_private_address(ipaddress.ip_address(address))


def public_loopback(address: IPAddress) -> bool:
    """127.0.0.1 plays a public host; every other address is judged for real."""
    return str(address) != "127.0.0.1" and is_private_address(address)


def answering(name: str, answer: list[str]) -> Callable[[str, int], object]:
    """A resolver under the attacker's control for `name`; other names resolve normally."""

    async def resolve(host: str, port: int) -> list[IPAddress]:
        if host == name:
            return [ipaddress.ip_address(a) for a in answer]
        return await resolve_host(host, port)

    return resolve


def get(
    url: str,
    *,
    resolver: Callable[[str, int], object] = resolve_host,
    is_private: Callable[[IPAddress], bool] = is_private_address,
) -> HttpResponse:
    async def go() -> HttpResponse:
        async with HttpClient(FAST, resolver=resolver, is_private=is_private) as client:  # type: ignore[arg-type]
            return await client.get(url)

    return asyncio.run(go())


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_redirect_to_a_name_resolving_to_a_private_address_is_refused_before_connecting(
    server: LocalServer, address: str
) -> None:
    # The name `localhost` stands for an attacker's domain whose DNS answer is `address`; the
    # system would resolve it to 127.0.0.1, where the "internal" page is, so a guard that
    # lets the name through shows up as a request for /internal.
    internal = server.route("/internal", Reply(body=b"internal"))
    target = internal.replace("127.0.0.1", "localhost")
    url = server.route("/feed", Reply(status=302, headers={"Location": target}))
    with pytest.raises(FetchError, match="private address") as caught:
        get(url, resolver=answering("localhost", [address]), is_private=public_loopback)
    assert str(ipaddress.ip_address(address)) in str(caught.value)
    assert [seen.path for seen in server.seen] == ["/feed"]


def test_one_private_address_among_public_ones_refuses_the_name(server: LocalServer) -> None:
    internal = server.route("/internal", Reply(body=b"internal"))
    url = server.route(
        "/feed", Reply(status=302, headers={"Location": internal.replace("127.0.0.1", "localhost")})
    )
    resolver = answering("localhost", ["127.0.0.1", "10.9.9.9"])
    with pytest.raises(FetchError, match=r"private address 10\.9\.9\.9"):
        get(url, resolver=resolver, is_private=public_loopback)
    assert [seen.path for seen in server.seen] == ["/feed"]


def test_the_guard_connects_to_the_address_it_checked_not_to_a_second_lookup(
    server: LocalServer,
) -> None:
    """DNS rebinding: the name's answer when checked is 127.0.0.3 (public here, and nothing
    listens there); a second lookup by the system would give 127.0.0.1, the internal server.
    Connecting to the checked address means the internal server is never reached."""
    internal = server.route("/internal", Reply(body=b"internal"))
    url = server.route(
        "/feed", Reply(status=302, headers={"Location": internal.replace("127.0.0.1", "localhost")})
    )

    def only_127_0_0_3_is_public(address: IPAddress) -> bool:
        return str(address) != "127.0.0.3"

    with pytest.raises(FetchError, match=r"connection refused \(localhost\)"):
        get(
            url, resolver=answering("localhost", ["127.0.0.3"]), is_private=only_127_0_0_3_is_public
        )
    assert {seen.path for seen in server.seen} == {"/feed"}  # retried from the start


def test_a_checked_name_keeps_its_name_in_the_host_header(server: LocalServer) -> None:
    """The connection goes to the IP literal the guard approved; the Host header (and TLS's
    server name) keep the name."""
    page = f"http://localhost:{server.port}/page"
    url = server.route("/feed", Reply(status=302, headers={"Location": page}))
    server.route("/page", Reply(body=b"the page"))
    resolver = answering("localhost", ["127.0.0.1"])
    response = get(url, resolver=resolver, is_private=public_loopback)
    assert response.body == b"the page"
    assert server.seen[-1].headers["host"] == f"localhost:{server.port}"


def test_a_connection_opened_under_trust_is_not_reused_by_a_guarded_request(
    server: LocalServer,
) -> None:
    """The source's own private URL is fetched over a kept-alive connection; a request of
    another source to the same origin (not its home) must dial again, and be refused."""
    trusted = server.route("/feed", Reply(body=b"bridge"))
    other = FetchScope.of_urls(["http://127.0.0.1:1/"], allow_offsite=True)

    async def go() -> tuple[bytes, str]:
        async with HttpClient(FAST) as client:
            with fetch_scope(FetchScope.of_urls([trusted])):
                first = await client.get(trusted)
            with fetch_scope(other), pytest.raises(FetchError) as caught:
                await client.get(trusted)
            return first.body, str(caught.value)

    body, error = asyncio.run(go())
    assert body == b"bridge"
    assert "127.0.0.1 is the private address 127.0.0.1" in error
    assert len(server.seen) == 1
