"""What response headers say about when to ask again: Retry-After and Cache-Control max-age."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["RETRYABLE_STATUSES", "is_retryable_status", "max_age", "retry_after"]

RETRYABLE_STATUSES = frozenset({408, 429})
_MAX_AGE_RE = re.compile(r"(?:^|[,\s])(s-maxage|max-age)\s*=\s*\"?(\d{1,10})\"?", re.IGNORECASE)
_HEADER_LIMIT = 512  # a header longer than this is not read (regexes never see more)


def is_retryable_status(status: int) -> bool:
    """408, 429 and every 5xx are worth another try; other errors will not change by retrying."""
    return status in RETRYABLE_STATUSES or 500 <= status <= 599


def retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (RFC 9110 10.2.3: seconds or an HTTP-date)."""
    value = (headers.get("Retry-After") or "").strip()[:_HEADER_LIMIT]
    if not value:
        return None
    if value.isdigit():
        # More digits than any sane wait (float() of 400 digits would be inf): the caller caps
        # a long wait at its own maximum anyway.
        return float(value) if len(value) <= 12 else 1e12
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def max_age(headers: Mapping[str, str]) -> timedelta | None:
    """Cache-Control's max-age (RFC 9111 5.2.2.1), or None when absent, zero or no-store."""
    value = (headers.get("Cache-Control") or "")[:_HEADER_LIMIT].lower()
    if not value or "no-store" in value or "no-cache" in value:
        return None
    ages = {name: int(number) for name, number in _MAX_AGE_RE.findall(value)}
    seconds = ages.get("max-age", ages.get("s-maxage", 0))
    return timedelta(seconds=seconds) if seconds > 0 else None
