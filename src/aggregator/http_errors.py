"""User-facing reasons for transport failures: one short line naming the cause and the host."""

from __future__ import annotations

import socket
import ssl

import httpx

from aggregator.config import HttpConfig

__all__ = ["describe_failure"]


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
