"""What every request must be before it is sent: an http(s) URL with a host and a usable port,
and headers HTTP can carry. A problem is a one-line FetchError that never quotes a header value
(it may be a key): httpx, h11 and anyio would raise their own errors, some quoting it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

import httpx

from aggregator.errors import FetchError
from aggregator.redact import safe_url

__all__ = ["check_url", "is_sendable_value", "sendable_headers"]

SCHEMES: Final = frozenset({"http", "https"})
_MAX_PORT: Final = 65535
# RFC 9110 5.1 and 5.5: a field name is a token; a field value is visible ASCII with inner
# spaces and tabs (httpx encodes values as ASCII, so obs-text is out too).
_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE_RE: Final = re.compile(r"[\x20-\x7e\t]*")
_OUTER_SPACE: Final = " \t"


def check_url(url: httpx.URL) -> None:
    """FetchError unless `url` is an http(s) URL with a host and a port from 1 to 65535."""
    if url.scheme not in SCHEMES:
        raise FetchError(f"unsupported URL scheme {url.scheme!r} (only http and https are allowed)")
    if not url.host:
        raise FetchError(f"invalid URL {safe_url(url)}: no host")
    if url.port is not None and not 0 < url.port <= _MAX_PORT:
        raise FetchError(
            f"invalid URL {safe_url(url)}: port {url.port} is out of range (1 to {_MAX_PORT})"
        )


def is_sendable_value(value: str) -> bool:
    """Whether a header value (without its outer spaces) can be sent as it is."""
    return _VALUE_RE.fullmatch(value.strip(_OUTER_SPACE)) is not None


def sendable_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers without the spaces around their values (RFC 9110 5.5: not part of the value);
    FetchError naming the header, never its value, when one cannot be sent."""
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not _TOKEN_RE.fullmatch(name):
            raise FetchError(
                f"the header name {name!r} is not a valid HTTP header name; "
                "check the source's options"
            )
        if not is_sendable_value(value):
            raise FetchError(
                f"the {name} header holds a character HTTP headers cannot carry (a line break, "
                "another control character or a non-ASCII character); check the source's options"
            )
        checked[name] = value.strip(_OUTER_SPACE)
    return checked
