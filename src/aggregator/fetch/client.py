"""The one shared async HTTP client: limits, politeness, conditional GET and capped bodies."""

from __future__ import annotations

import asyncio
import http.cookiejar
import logging
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from aggregator import redact
from aggregator.config.model import HttpConfig
from aggregator.credentials import credential_values, harmless_headers, without_credentials
from aggregator.errors import FetchError
from aggregator.fetch.decoding import (
    ACCEPT_ENCODING,
    BodyTooLargeError,
    UnsupportedEncodingError,
    read_decoded,
)
from aggregator.fetch.failures import (
    describe_failure,
    offsite_refusal,
    private_refusal,
    refuse_leftover_secrets,
)
from aggregator.fetch.hints import is_retryable_status, retry_after
from aggregator.fetch.netguard import (
    AddressGuard,
    IPAddress,
    PrivateAddressError,
    Resolver,
    is_private_address,
    resolve_host,
)
from aggregator.fetch.request_checks import SCHEMES, check_url, is_sendable_value, sendable_headers
from aggregator.fetch.scope import FetchScope, current_scope, is_home
from aggregator.fetch.transport import GUARDED, DirectTransport, PreflightTransport, proxy_mounts
from aggregator.redact import safe_url

__all__ = ["FetchError", "HttpClient", "HttpResponse", "safe_url"]

log = logging.getLogger(__name__)


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
        """`resolver` and `is_private` decide the address guard's refusals; tests replace
        them to play a public host on 127.0.0.1. A `transport` (tests) gets the guard's
        pre-flight check instead of the connect-time one."""
        self.config = config or HttpConfig()
        cfg = self.config
        guard = AddressGuard(resolver, is_private)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout,
                read=cfg.read_timeout,
                write=cfg.read_timeout,
                pool=cfg.total_timeout,
            ),
            follow_redirects=False,  # followed by hand: guard, credentials and politeness per hop
            # No cookie jar: cookies ignore ports and would go from one origin (or one source)
            # to another.
            cookies=http.cookiejar.CookieJar(
                http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
            ),
            transport=DirectTransport(guard)
            if transport is None
            else PreflightTransport(transport, guard),
            # A custom transport makes httpx ignore proxies: they are mounted here instead.
            mounts=proxy_mounts(cfg.proxy, guard) if transport is None else None,
            trust_env=True,
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
        """GET a URL; 304 gives `not_modified`, any other non-2xx status raises FetchError."""
        request_headers = sendable_headers(headers or {})
        # The validators are the server's own: one HTTP cannot send back is just not sent.
        if etag and is_sendable_value(etag):
            request_headers["If-None-Match"] = etag.strip()
        if last_modified and is_sendable_value(last_modified):
            request_headers["If-Modified-Since"] = last_modified.strip()
        cap = self.config.max_body_bytes if max_bytes is None else max_bytes
        budget = _Budget(self.config.total_timeout)
        attempt = 0
        while True:
            try:
                return await self._fetch(url, request_headers, cap, budget)
            except FetchError as exc:
                delay = self._retry_delay(exc, attempt, budget)
                if delay is None:
                    if attempt:
                        raise _after_tries(exc, attempt + 1) from None
                    raise
            attempt += 1
            log.info("retrying %s in %.1f s (attempt %d)", safe_url(url), delay, attempt + 1)
            await asyncio.sleep(delay)

    def _retry_delay(self, exc: FetchError, attempt: int, budget: _Budget) -> float | None:
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
        FetchError, whose message never includes the body."""
        cap = self.config.max_body_bytes if max_bytes is None else max_bytes
        budget = _Budget(self.config.total_timeout)
        return await self._fetch(url, sendable_headers(headers or {}), cap, budget, json_body=json)

    async def post_form(
        self,
        url: str,
        form: Mapping[str, str],
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """POST an `application/x-www-form-urlencoded` body (an OAuth2 token request), like
        `post_json`: no redirects followed, non-2xx raises FetchError without the body."""
        cap = self.config.max_body_bytes if max_bytes is None else max_bytes
        budget = _Budget(self.config.total_timeout)
        return await self._fetch(url, sendable_headers(headers or {}), cap, budget, form_body=form)

    async def _fetch(
        self,
        url: str,
        headers: dict[str, str],
        cap: int,
        budget: _Budget,
        *,
        json_body: Mapping[str, Any] | None = None,
        form_body: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Follow redirects hop by hop within the total deadline (GET only). A fetch must start
        on a home origin of the scope (unless it allows offsite fetches); a hop stays trusted
        and keeps the caller's credentials while every hop so far was on a home origin."""
        scope = current_scope() or FetchScope()
        target = _parse_url(url)
        home = scope.home_for(target)
        at_home = is_home(target, home)
        if not at_home and not scope.allow_offsite:
            raise offsite_refusal(target, home)
        previous = target
        for hop in range(self.config.max_redirects + 1):
            request = self._build_request(target, headers, scope, at_home, json_body, form_body)
            host = self._hosts.setdefault(request.url.host, _Host())
            async with host.lock:
                await _sleep_until(host.last_done + self.config.per_host_gap)
                async with self._slots:
                    deadline = budget.start()
                    try:
                        result = await self._send_within(request, cap, deadline)
                    except PrivateAddressError as exc:
                        raise private_refusal(exc, request.url, previous, hop, scope) from None
                    finally:
                        host.last_done = asyncio.get_running_loop().time()
            if isinstance(result, HttpResponse):
                return result
            if json_body is not None or form_body is not None:
                raise FetchError(f"refusing to follow a redirect of a POST to {safe_url(url)}")
            previous, target = request.url, result
            at_home = at_home and is_home(target, home)
        limit = self.config.max_redirects
        raise FetchError(f"too many redirects (more than {limit}) from {safe_url(url)}")

    def _build_request(
        self,
        target: httpx.URL,
        headers: Mapping[str, str],
        scope: FetchScope,
        at_home: bool,
        json_body: Mapping[str, Any] | None,
        form_body: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """The request for one hop. Off the home origins it carries no credential (only
        harmless headers, no userinfo, no secret query parameter) and passes the guard; so
        does every request of a source with `allow_private: false`."""
        if at_home:
            redact.remember(scope.secrets, credential_values(headers))
        else:
            headers = harmless_headers(headers)
            target = without_credentials(target, scope.secret_params, scope.secrets)
            refuse_leftover_secrets(target, scope)
        guarded = scope.allow_private is False or (scope.allow_private is None and not at_home)
        extensions = {GUARDED: guarded}
        if json_body is not None:
            return self._client.build_request(
                "POST", target, headers=headers, json=json_body, extensions=extensions
            )
        if form_body is not None:
            return self._client.build_request(
                "POST", target, headers=headers, data=dict(form_body), extensions=extensions
            )
        return self._client.build_request("GET", target, headers=headers, extensions=extensions)

    async def _send_within(
        self, request: httpx.Request, cap: int, deadline: float
    ) -> HttpResponse | httpx.URL:
        try:
            async with asyncio.timeout_at(deadline):
                return await self._send_once(request, cap)
        except TimeoutError:
            total = self.config.total_timeout
            raise FetchError(f"timed out after {total:g} s ({request.url.host})") from None
        except httpx.HTTPError as exc:
            transient = isinstance(exc, httpx.TimeoutException | httpx.ConnectError)
            raise FetchError(
                describe_failure(exc, request.url, self.config), retryable=transient
            ) from None

    async def _send_once(self, request: httpx.Request, cap: int) -> HttpResponse | httpx.URL:
        """Send one request; return the response, or the URL a redirect points to."""
        try:
            response = await self._client.send(request, stream=True)
        except httpx.InvalidURL as exc:  # httpx builds the redirect's URL and cannot
            raise FetchError(f"invalid redirect from {safe_url(request.url)}: {exc}") from None
        try:
            if (redirect := response.next_request) is not None:
                return _redirect_target(request.url, redirect.url)
            if response.status_code == httpx.codes.NOT_MODIFIED:
                return _response(response, b"", not_modified=True)
            if not response.is_success:
                status = response.status_code
                raise FetchError(
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


def _after_tries(exc: FetchError, tries: int) -> FetchError:
    return FetchError(
        f"{exc} (tried {tries} times)",
        status=exc.status,
        retryable=exc.retryable,
        retry_after=exc.retry_after,
    )


def _redirect_target(origin: httpx.URL, target: httpx.URL) -> httpx.URL:
    """The URL a redirect from `origin` points to, checked like any URL we request."""
    if target.scheme not in SCHEMES:
        raise FetchError(
            f"redirect from {safe_url(origin)} to unsupported URL scheme "
            f"{target.scheme!r} (only http and https are allowed)"
        )
    try:
        check_url(target)
    except FetchError as exc:
        raise FetchError(f"invalid redirect from {safe_url(origin)}: {exc}") from None
    return target


def _parse_url(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from None
    check_url(target)
    return target


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
        raise FetchError(f"body exceeds {cap} bytes")
    encoding = response.headers.get("Content-Encoding", "identity")
    try:
        return await read_decoded(response.aiter_raw(), encoding, cap)
    except BodyTooLargeError:
        raise FetchError(f"body exceeds {cap} bytes") from None
    except UnsupportedEncodingError:
        host = response.url.host
        raise FetchError(f"unsupported Content-Encoding {encoding[:40]!r} from {host}") from None
    except ValueError:
        host = response.url.host
        raise FetchError(f"cannot decode the body from {host} (bad Content-Encoding)") from None
