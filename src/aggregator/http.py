"""The one shared async HTTP client: limits, politeness, conditional GET and capped bodies."""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from aggregator.adapters.base import AdapterError
from aggregator.config import HttpConfig
from aggregator.decoding import (
    ACCEPT_ENCODING,
    BodyTooLargeError,
    UnsupportedEncodingError,
    read_decoded,
)
from aggregator.http_errors import describe_failure
from aggregator.http_hints import is_retryable_status, retry_after
from aggregator.netguard import (
    IPAddress,
    Resolver,
    allow_private,
    is_private_address,
    resolve_host,
)
from aggregator.urls import safe_url

__all__ = ["HttpClient", "HttpError", "HttpResponse", "safe_url"]

log = logging.getLogger(__name__)

_SCHEMES = frozenset({"http", "https"})


class HttpError(AdapterError):
    """A fetch failed; the message names the cause and a secret-free URL or host.

    `status` is the HTTP status for an error response, None for network failures;
    `retryable` says another try may succeed (connect errors, timeouts, 408, 429, 5xx);
    `retry_after` is the server's Retry-After in seconds, for scheduling the next fetch.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(slots=True)
class _Budget:
    """One fetch's total deadline, shared by its redirects and retries; it starts when the
    first request gets a concurrency slot, so waiting in the queue is not counted."""

    seconds: float
    deadline: float | None = None

    def start(self) -> float:
        if self.deadline is None:
            self.deadline = asyncio.get_running_loop().time() + self.seconds
        return self.deadline

    def left(self) -> float:
        if self.deadline is None:
            return self.seconds
        return self.deadline - asyncio.get_running_loop().time()


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
        resolver: Resolver = resolve_host,
        is_private: Callable[[IPAddress], bool] = is_private_address,
    ) -> None:
        """`resolver` and `is_private` decide private-address refusals; tests replace them to
        play a public host on 127.0.0.1."""
        # model_validate: without the pydantic mypy plugin, mypy thinks every field is required
        self.config = config or HttpConfig.model_validate({})
        cfg = self.config
        self._client = httpx.AsyncClient(
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
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
        self._resolve = resolver
        self._is_private = is_private

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
        budget = _Budget(self.config.total_timeout)
        attempt = 0
        while True:
            try:
                return await self._fetch(url, request_headers, cap, budget)
            except HttpError as exc:
                delay = self._retry_delay(exc, attempt, budget)
                if delay is None:
                    if attempt:
                        raise _after_tries(exc, attempt + 1) from None
                    raise
            attempt += 1
            log.info("retrying %s in %.1f s (attempt %d)", safe_url(url), delay, attempt + 1)
            await asyncio.sleep(delay)

    def _retry_delay(self, exc: HttpError, attempt: int, budget: _Budget) -> float | None:
        """Seconds to wait before another try, or None: not retryable, out of tries, or the
        wait (Retry-After, else exponential backoff with jitter) would pass the deadline."""
        cfg = self.config
        if not exc.retryable or attempt >= cfg.retries:
            return None
        if exc.retry_after is not None:
            delay = exc.retry_after
            if delay > cfg.max_retry_wait:
                return None  # the next scheduled fetch honours it instead
        else:
            delay = cfg.retry_backoff * 2**attempt * random.uniform(0.5, 1.0)
        # Retries share the fetch's total deadline: a retry that could not finish is not tried.
        if delay + min(cfg.connect_timeout, 1.0) >= budget.left():
            return None
        return delay

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
        budget = _Budget(self.config.total_timeout)
        return await self._fetch(url, dict(headers or {}), cap, budget, json_body=json)

    async def _fetch(
        self,
        url: str,
        headers: dict[str, str],
        cap: int,
        budget: _Budget,
        *,
        json_body: Mapping[str, Any] | None = None,
    ) -> HttpResponse:
        """Follow redirects hop by hop within the total deadline (GET only), checking each
        hop's address against the source's private-address policy."""
        request = self._build_request(url, headers, json_body)
        for hop in range(self.config.max_redirects + 1):
            await self._check_address(request.url, httpx.URL(url), first=hop == 0)
            host = self._hosts.setdefault(request.url.host, _Host())
            async with host.lock:
                await _sleep_until(host.last_done + self.config.per_host_gap)
                async with self._slots:
                    deadline = budget.start()
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

    async def _check_address(self, target: httpx.URL, origin: httpx.URL, *, first: bool) -> None:
        """Refuse a private target: always when the source says `allow_private: false`; for the
        default, only on a redirect from a public origin (the user's own URL is trusted)."""
        allow = allow_private.get()
        if allow or (allow is None and first):
            return
        private = await self._private_address(target)
        if private is None:
            return
        if allow is False:
            raise HttpError(
                f"refusing {safe_url(target)}: {target.host} is the private address {private} "
                "(the source has allow_private: false)"
            )
        if await self._private_address(origin) is None:
            raise HttpError(
                f"refusing a redirect from {safe_url(origin)} to the private address {private} "
                f"({safe_url(target)}); set allow_private: true on the source to allow it"
            )

    async def _private_address(self, url: httpx.URL) -> IPAddress | None:
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = await self._resolve(url.host, port)
        except OSError:
            raise HttpError(f"cannot resolve host ({url.host})", retryable=True) from None
        return next((a for a in addresses if self._is_private(a)), None)

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
            transient = isinstance(exc, httpx.TimeoutException | httpx.ConnectError)
            raise HttpError(
                describe_failure(exc, request.url, self.config), retryable=transient
            ) from None

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
                raise HttpError(
                    f"HTTP {status} from {safe_url(request.url)}",
                    status=status,
                    retryable=is_retryable_status(status),
                    retry_after=retry_after(response.headers),
                )
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


def _after_tries(exc: HttpError, tries: int) -> HttpError:
    return HttpError(
        f"{exc} (tried {tries} times)",
        status=exc.status,
        retryable=exc.retryable,
        retry_after=exc.retry_after,
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
    """Stream the body, decoding it in bounded steps and stopping once it passes `cap` (so a
    gzip bomb stops there too, without inflating a whole network chunk first)."""
    declared = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    if not encoded and declared.isdigit() and int(declared) > cap:
        raise HttpError(f"body exceeds {cap} bytes")
    encoding = response.headers.get("Content-Encoding", "identity")
    try:
        return await read_decoded(response.aiter_raw(), encoding, cap)
    except BodyTooLargeError:
        raise HttpError(f"body exceeds {cap} bytes") from None
    except UnsupportedEncodingError:
        host = response.url.host
        raise HttpError(f"unsupported Content-Encoding {encoding[:40]!r} from {host}") from None
    except ValueError:
        host = response.url.host
        raise HttpError(f"cannot decode the body from {host} (bad Content-Encoding)") from None
