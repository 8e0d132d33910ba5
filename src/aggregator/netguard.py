"""Private-address protection: which hosts a fetch may reach, decided per source and per hop."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar

__all__ = [
    "IPAddress",
    "Resolver",
    "allow_private",
    "is_private_address",
    "private_policy",
    "resolve_host",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


# A source's `allow_private`: True allows every address; False refuses private ones on every
# hop; None (the default) trusts the URL the user wrote, even a private one (a local feed
# bridge), but refuses a redirect from a public host into a private range (SSRF). Set by the
# pipeline around one source's fetch (each source runs in its own task, which copies the
# context), so every request an adapter makes follows its source's policy.
allow_private: ContextVar[bool | None] = ContextVar("allow_private", default=None)


@contextlib.contextmanager
def private_policy(allow: bool | None) -> Iterator[None]:
    """Apply a source's `allow_private` to the requests made inside the block."""
    token = allow_private.set(allow)
    try:
        yield
    finally:
        allow_private.reset(token)


def is_private_address(address: IPAddress) -> bool:
    """True for addresses a public feed has no business sending us to."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal is its own answer)."""
    with contextlib.suppress(ValueError):
        return [ipaddress.ip_address(host.strip("[]"))]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
