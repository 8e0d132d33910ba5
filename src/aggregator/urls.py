"""URL helpers shared by the fetcher and the adapters."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx

__all__ = ["safe_url", "without_userinfo"]


def safe_url(url: httpx.URL | str) -> str:
    """`scheme://host[:port]/path` only: no userinfo, query or fragment, which may hold secrets."""
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except httpx.InvalidURL:
        return "<invalid URL>"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"


def without_userinfo(url: str) -> str:
    """`url` without `user:password@`; everything else (the query too) is kept as written."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
