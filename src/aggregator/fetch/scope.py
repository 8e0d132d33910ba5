"""The fetch scope: whose requests these are, which origins are theirs, what they may reach."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

import httpx

__all__ = [
    "FetchScope",
    "Origin",
    "current_scope",
    "fetch_scope",
    "is_home",
    "origin_of",
    "private_policy",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True, order=True)
class Origin:
    """RFC 6454's origin: scheme, host and port (the default port written out)."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = _DEFAULT_PORTS.get(self.scheme) == self.port
        return f"{self.scheme}://{host}" + ("" if default else f":{self.port}")


def origin_of(url: str | httpx.URL) -> Origin:
    """The origin of an http(s) URL (httpx.InvalidURL for one that does not parse)."""
    parsed = httpx.URL(url) if isinstance(url, str) else url
    port = parsed.port or _DEFAULT_PORTS.get(parsed.scheme, 0)
    return Origin(parsed.scheme, parsed.host.lower(), port)


@dataclass(frozen=True, slots=True)
class FetchScope:
    """One source's fetch: set around `Adapter.fetch`, read by every request it makes.

    `home` holds the origins of the URLs written in the config (the source's `url` and the
    base URLs its adapter builds from options); None means "the URL passed to each `get`
    is its own home" (the client used directly). Home requests are trusted as today: they may
    be private and carry the source's credentials. Every other request passes the address
    guard at connect time and carries no credential; a fetch that starts off the home origins
    (a next page, a link from a response) is refused unless `allow_offsite`.
    `secret_params` are query parameter names and `secrets` the values that only home
    origins may receive.
    """

    source: str | None = None
    home: frozenset[Origin] | None = None
    allow_private: bool | None = None
    allow_offsite: bool = False
    secret_params: frozenset[str] = field(default_factory=frozenset)
    secrets: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of_urls(cls, urls: Iterable[str], **settings: object) -> FetchScope:
        """A scope whose home is the origins of `urls` (URLs that do not parse are skipped)."""
        home: set[Origin] = set()
        for url in urls:
            with contextlib.suppress(httpx.InvalidURL):
                home.add(origin_of(url))
        return cls(home=frozenset(home), **settings)  # type: ignore[arg-type]

    def home_for(self, first_url: httpx.URL) -> frozenset[Origin]:
        """The home origins of one fetch that starts at `first_url`."""
        return self.home if self.home is not None else frozenset({origin_of(first_url)})


def is_home(url: httpx.URL, home: frozenset[Origin]) -> bool:
    """Whether `url` is on a home origin, or is the https upgrade of one (same host, default
    ports): sites move from http to https, and https only adds protection."""
    origin = origin_of(url)
    if origin in home:
        return True
    insecure = Origin("http", origin.host, 80)
    return origin.scheme == "https" and origin.port == 443 and insecure in home


_current: ContextVar[FetchScope | None] = ContextVar("aggregator_fetch_scope", default=None)


def current_scope() -> FetchScope | None:
    """The scope of the fetch running in this task, if any."""
    return _current.get()


@contextlib.contextmanager
def fetch_scope(scope: FetchScope) -> Iterator[FetchScope]:
    """Apply `scope` to the requests made inside the block (tasks copy the context, so
    concurrent sources each keep their own)."""
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


@contextlib.contextmanager
def private_policy(allow: bool | None) -> Iterator[FetchScope]:
    """The current scope (or a bare one) with `allow_private` replaced, for direct use of the
    client: True allows every address, False refuses private ones on every request, None
    trusts only the home origins."""
    scope = replace(current_scope() or FetchScope(), allow_private=allow)
    with fetch_scope(scope) as applied:
        yield applied
