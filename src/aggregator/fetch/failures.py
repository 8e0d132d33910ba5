"""Fetch errors: one short user-facing line naming the cause and a secret-free URL or host."""

from __future__ import annotations

import socket
import ssl
import urllib.parse

import httpx

from aggregator.config.model import HttpConfig
from aggregator.errors import FetchError
from aggregator.fetch.netguard import PrivateAddressError
from aggregator.fetch.scope import FetchScope, Origin, origin_of
from aggregator.redact import safe_url

__all__ = [
    "describe_failure",
    "offsite_refusal",
    "private_refusal",
    "refuse_leftover_secrets",
]


def describe_failure(exc: httpx.HTTPError, url: httpx.URL, config: HttpConfig) -> str:
    """A short, user-facing reason for a transport failure."""
    host = url.host
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {config.connect_timeout:g} s ({host})"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no data for {config.read_timeout:g} s ({host})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({host})"
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error: {exc}"
    if isinstance(exc, httpx.DecodingError):
        return f"cannot decode the body from {host} (bad Content-Encoding)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error from {host}: {_first_line(exc)}"
    if isinstance(exc, httpx.ConnectError):
        return _describe_connect(exc, host)
    return f"request to {host} failed: {_first_line(exc) or type(exc).__name__}"


def _describe_connect(exc: httpx.ConnectError, host: str) -> str:
    cause = _root_cause(exc)
    if isinstance(cause, ConnectionRefusedError):
        return f"connection refused ({host})"
    if isinstance(cause, socket.gaierror):
        return f"cannot resolve host ({host})"
    if isinstance(cause, ssl.SSLError):
        return f"TLS error ({host}): {cause.reason or cause}"
    return f"cannot connect ({host}): {_first_line(exc) or type(cause).__name__}"


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    while (nxt := exc.__cause__ or exc.__context__) is not None and id(nxt) not in seen:
        seen.add(id(exc))
        exc = nxt
    return exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""


def offsite_refusal(target: httpx.URL, home: frozenset[Origin]) -> FetchError:
    """A fetch that would start off the source's own origins (a next page, a link)."""
    own = ", ".join(str(origin) for origin in sorted(home)) or "none"
    return FetchError(
        f"refusing {safe_url(target)}: {origin_of(target)} is not the source's own origin "
        f"({own}); set allow_offsite: true on the source to fetch from other origins",
        refused=True,
    )


def private_refusal(
    exc: PrivateAddressError, target: httpx.URL, previous: httpx.URL, hop: int, scope: FetchScope
) -> FetchError:
    """The guard refused to connect to `target` (the request after `previous` on hop `hop`)."""
    if scope.allow_private is False:
        return FetchError(
            f"refusing {safe_url(target)}: {exc} (the source has allow_private: false)",
            refused=True,
        )
    if hop:
        return FetchError(
            f"refusing a redirect from {safe_url(previous)} to the private address "
            f"{exc.address} ({safe_url(target)}); "
            "set allow_private: true on the source to allow it",
            refused=True,
        )
    return FetchError(
        f"refusing {safe_url(target)}: {exc}, and only the source's own origins may be "
        "private; set allow_private: true on the source to allow it",
        refused=True,
    )


def refuse_leftover_secrets(url: httpx.URL, scope: FetchScope) -> None:
    """A secret in the path (or a query we could not strip) must not leave the home origins."""
    text = str(url)
    decoded = urllib.parse.unquote(text)
    if any(secret in text or secret in decoded for secret in scope.secrets):
        raise FetchError(
            f"refusing {safe_url(url)}: it holds one of the source's credentials, and "
            f"{origin_of(url)} is not the source's own origin",
            refused=True,
        )
