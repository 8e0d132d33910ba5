"""Private-address protection at connect time: a network backend that checks what it dials."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import anyio
import httpcore

__all__ = [
    "AddressGuard",
    "GuardedBackend",
    "IPAddress",
    "PrivateAddressError",
    "Resolver",
    "is_private_address",
    "resolve_host",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

# RFC 6052's well-known NAT64 prefix: DNS64 puts an IPv4 address in its last 32 bits, so an
# IPv6-only host reaches public IPv4 sites through it (and would reach 10/8 the same way).
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


class PrivateAddressError(Exception):
    """The guard refused to connect: `host` resolved to the private `address`."""

    def __init__(self, host: str, address: IPAddress) -> None:
        super().__init__(f"{host} is the private address {address}")
        self.host = host
        self.address = address


def is_private_address(address: IPAddress) -> bool:
    """True unless the address is global unicast (IANA's "globally reachable"), judging an
    IPv4 address embedded in IPv6 (IPv4-mapped, 6to4, NAT64) by the IPv4 address itself."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_private_address(embedded)
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    # is_global alone is not enough in Python 3.11: it is True for multicast and site-local.
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or site_local
    )


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal is its own answer)."""
    with contextlib.suppress(ValueError):
        return [ipaddress.ip_address(host.strip("[]"))]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Resolves a name and lets it through only if every address is public. The hooks let
    tests play a public host on 127.0.0.1."""

    resolve: Resolver = resolve_host
    is_private: Callable[[IPAddress], bool] = is_private_address

    async def public_addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses of `host`; PrivateAddressError if any is private (a name with one private
        answer could be steered to it), OSError if there are none."""
        addresses = await self.resolve(host, port)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"no address for {host}")
        for address in addresses:
            if self.is_private(address):
                raise PrivateAddressError(host, address)
        return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the guard in `connect_tcp`: the name is resolved once,
    checked, and the socket connects to the checked IP literal, so a second DNS answer (DNS
    rebinding) is never used. TLS still verifies the host name: httpcore passes the origin's
    name as `server_hostname` to `start_tls`, whatever address the socket went to."""

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await self._guard.public_addresses(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # public_addresses never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the guarded pool does not connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
