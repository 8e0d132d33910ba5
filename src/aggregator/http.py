"""The one shared async HTTP client: limits, politeness, conditional GET and capped bodies."""

from __future__ import annotations

import asyncio
import math
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from aggregator.adapters.base import AdapterError
from aggregator.config import HttpConfig
from aggregator.urls import safe_url

__all__ = ["HttpClient", "HttpError", "HttpResponse", "safe_url"]

_SCHEMES = frozenset({"http", "https"})


class HttpError(AdapterError):
    """A fetch failed; the message names the cause and a secret-free URL or host.

    `status` is the HTTP status for an error response, None for network failures.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A finished response: the final URL after redirects and the whole decoded body."""

    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes
    not_modified: bool = False


@dataclass(slots=True)
class _Host:
    """Politeness state for one host: one request at a time, a gap between requests."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_done: float = -math.inf


class HttpClient:
    """Wraps one httpx.AsyncClient; adapters fetch through it, tests pick the transport."""

    def __init__(
        self,
        config: HttpConfig | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # model_validate: without the pydantic mypy plugin, mypy thinks every field is required
        self.config = config or HttpConfig.model_validate({})
        cfg = self.config
        self._client = httpx.AsyncClient(
            headers={"User-Agent": cfg.user_agent},
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout,
                read=cfg.read_timeout,
                write=cfg.read_timeout,
                pool=cfg.total_timeout,
            ),
            follow_redirects=False,  # followed by hand: scheme check and politeness per hop
            proxy=cfg.proxy,
            trust_env=True,
            transport=transport,
        )
        self._slots = asyncio.Semaphore(cfg.concurrency)
        self._hosts: dict[str, _Host] = {}

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """GET a URL; 304 gives `not_modified`, any other non-2xx status raises HttpError."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        cap = self.config.max_body_bytes if max_bytes is None else max_bytes
        # Retries (429/5xx, Retry-After) and robots.txt belong here, wrapping `_fetch`.
        return await self._fetch(url, request_headers, cap)

    async def post_json(
        self,
        url: str,
        json: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """POST a JSON body (a login, say) with the same limits as `get`. Redirects are refused,
        so a body that may hold a password is never sent on to another URL; non-2xx raises
        HttpError, whose message never includes the body."""
        cap = self.config.max_body_bytes if max_bytes is None else max_bytes
        return await self._fetch(url, dict(headers or {}), cap, json_body=json)

    async def _fetch(
        self,
        url: str,
        headers: dict[str, str],
        cap: int,
        *,
        json_body: Mapping[str, Any] | None = None,
    ) -> HttpResponse:
        """Follow redirects hop by hop within one total deadline (GET only)."""
        request = self._build_request(url, headers, json_body)
        deadline: float | None = None
        for _hop in range(self.config.max_redirects + 1):
            host = self._hosts.setdefault(request.url.host, _Host())
            async with host.lock:
                await _sleep_until(host.last_done + self.config.per_host_gap)
                async with self._slots:
                    if deadline is None:
                        deadline = asyncio.get_running_loop().time() + self.config.total_timeout
                    try:
                        result = await self._send_within(request, cap, deadline)
                    finally:
                        host.last_done = asyncio.get_running_loop().time()
            if isinstance(result, HttpResponse):
                return result
            if json_body is not None:
                raise HttpError(f"refusing to follow a redirect of a POST to {safe_url(url)}")
            request = result
        limit = self.config.max_redirects
        raise HttpError(f"too many redirects (more than {limit}) from {safe_url(url)}")

    def _build_request(
        self, url: str, headers: Mapping[str, str], json_body: Mapping[str, Any] | None = None
    ) -> httpx.Request:
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise HttpError(f"invalid URL: {exc}") from None
        _check_scheme(target)
        if json_body is not None:
            return self._client.build_request("POST", target, headers=headers, json=json_body)
        return self._client.build_request("GET", target, headers=headers)

    async def _send_within(
        self, request: httpx.Request, cap: int, deadline: float
    ) -> HttpResponse | httpx.Request:
        try:
            async with asyncio.timeout_at(deadline):
                return await self._send_once(request, cap)
        except TimeoutError:
            total = self.config.total_timeout
            raise HttpError(f"timed out after {total:g} s ({request.url.host})") from None
        except httpx.HTTPError as exc:
            raise HttpError(_describe(exc, request.url, self.config)) from None

    async def _send_once(self, request: httpx.Request, cap: int) -> HttpResponse | httpx.Request:
        """Send one request; return the response, or the next request for a redirect."""
        response = await self._client.send(request, stream=True)
        try:
            if (redirect := response.next_request) is not None:
                if redirect.url.scheme not in _SCHEMES:
                    scheme = redirect.url.scheme
                    raise HttpError(
                        f"redirect from {safe_url(request.url)} to unsupported URL scheme "
                        f"{scheme!r} (only http and https are allowed)"
                    )
                _check_scheme(redirect.url)
                return redirect
            if response.status_code == httpx.codes.NOT_MODIFIED:
                return _response(response, b"", not_modified=True)
            if not response.is_success:
                status = response.status_code
                raise HttpError(f"HTTP {status} from {safe_url(request.url)}", status=status)
            return _response(response, await _read_capped(response, cap))
        finally:
            await response.aclose()


def _response(response: httpx.Response, body: bytes, *, not_modified: bool = False) -> HttpResponse:
    return HttpResponse(
        status=response.status_code,
        url=str(response.url),
        headers=response.headers,
        body=body,
        not_modified=not_modified,
    )


def _check_scheme(url: httpx.URL) -> None:
    if url.scheme not in _SCHEMES:
        raise HttpError(f"unsupported URL scheme {url.scheme!r} (only http and https are allowed)")
    if not url.host:
        raise HttpError(f"invalid URL {safe_url(url)}: no host")


async def _sleep_until(when: float) -> None:
    delay = when - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    """Stream the decoded body, stopping once it passes `cap` (so gzip bombs stop there too)."""
    declared = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    if not encoded and declared.isdigit() and int(declared) > cap:
        raise HttpError(f"body exceeds {cap} bytes")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > cap:
            raise HttpError(f"body exceeds {cap} bytes")
    return bytes(body)


def _describe(exc: httpx.HTTPError, url: httpx.URL, config: HttpConfig) -> str:
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
