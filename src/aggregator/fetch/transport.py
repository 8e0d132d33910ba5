"""How requests reach the network: a trusted pool, a guarded pool, and proxies checked first."""

from __future__ import annotations

from typing import Final

import httpcore
import httpx

# Public in all but name since httpx 0.18: the environment's proxies as httpx mount patterns,
# NO_PROXY included. A custom transport makes httpx skip them, so we mount them ourselves.
from httpx._utils import get_environment_proxies

from aggregator.fetch.netguard import AddressGuard, GuardedBackend

__all__ = ["GUARDED", "DirectTransport", "PreflightTransport", "proxy_mounts"]

# Request extension: True when the request must pass the address guard (httpcore ignores
# extensions it does not know, and httpx hands them over untouched).
GUARDED: Final = "aggregator.guarded"
# httpx's own defaults (httpx._config.DEFAULT_LIMITS), for both pools.
_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5)


def is_guarded(request: httpx.Request) -> bool:
    return bool(request.extensions.get(GUARDED))


def _guarded_pool_transport(guard: AddressGuard) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections are all dialled by the guard.

    httpx.AsyncHTTPTransport takes no `network_backend`, yet it does what a transport must
    (httpcore exceptions mapped to httpx ones, response streams wrapped, TLS and limits set
    up), so we keep it and give it a pool built as its own is, plus our backend.
    """
    transport = httpx.AsyncHTTPTransport(limits=_LIMITS)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=True),
        max_connections=_LIMITS.max_connections,
        max_keepalive_connections=_LIMITS.max_keepalive_connections,
        keepalive_expiry=_LIMITS.keepalive_expiry,
        network_backend=GuardedBackend(guard),
    )
    return transport


class DirectTransport(httpx.AsyncBaseTransport):
    """Direct connections. Trusted requests (a source's own URLs) use the default pool;
    guarded ones a second pool whose backend checks every address it dials. Two pools, so
    that a connection opened under trust (to a private feed bridge) is never reused by a
    guarded request to the same origin, which would skip the check."""

    def __init__(self, guard: AddressGuard) -> None:
        self._trusted = httpx.AsyncHTTPTransport(limits=_LIMITS)
        self._guarded = _guarded_pool_transport(guard)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool = self._guarded if is_guarded(request) else self._trusted
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        await self._trusted.aclose()
        await self._guarded.aclose()


class PreflightTransport(httpx.AsyncBaseTransport):
    """A transport whose connections the guard does not dial (a proxy's, a test's): the host of
    a guarded request is resolved and checked before it is sent. The proxy resolves the name
    again, so a DNS answer that changes in between (DNS rebinding) is not stopped: the
    documented limit of proxied fetches."""

    def __init__(self, inner: httpx.AsyncBaseTransport, guard: AddressGuard) -> None:
        self._inner = inner
        self._guard = guard

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if is_guarded(request):
            url = request.url
            port = url.port or (443 if url.scheme == "https" else 80)
            try:
                await self._guard.public_addresses(url.host, port)
            except OSError as exc:
                raise httpx.ConnectError(str(exc), request=request) from exc
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def proxy_mounts(
    proxy: str | None, guard: AddressGuard
) -> dict[str, httpx.AsyncBaseTransport | None]:
    """httpx mounts for `http.proxy`, else for the environment's proxies (HTTP_PROXY,
    HTTPS_PROXY, ALL_PROXY, NO_PROXY); None routes a pattern to the client's own transport."""

    def through(url: str) -> httpx.AsyncBaseTransport:
        return PreflightTransport(httpx.AsyncHTTPTransport(proxy=url, limits=_LIMITS), guard)

    if proxy:
        return {"all://": through(proxy)}
    return {
        pattern: None if url is None else through(url)
        for pattern, url in get_environment_proxies().items()
    }
