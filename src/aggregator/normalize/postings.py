"""Turn an adapter's raw postings into clean, comparable postings (text, URL, tags, dates, key)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import nh3

from aggregator.dates import as_utc
from aggregator.models import MAX_KEY_BYTES, JobDetails, Posting, RawPosting
from aggregator.normalize.jobfields import (
    Remote,
    infer_employment_type,
    parse_deadline,
    parse_duration_text,
    parse_remote,
    stated_remote,
)
from aggregator.normalize.pay import Pay, parse_pay, pay_from_fields
from aggregator.text import (
    MAX_HTML_CHARS,
    MAX_TITLE_CHARS,
    clean_data,
    clean_line,
    extract_hashtags,
    first_line,
    fold_tag,
    html_to_text,
)

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_KEY_BYTES",
    "MAX_TITLE_CHARS",
    "UNTITLED",
    "canonical_url",
    "capped",
    "cleaned",
    "dedup_key",
    "job_details",
    "normalize",
    "normalize_all",
]

# Caps applied before any parsing or regex, whatever the adapter already did (and
# MAX_TITLE_CHARS, shared with the adapters).
MAX_FIELD_CHARS = 256  # company (the author), location, one tag, short structured values
MAX_URL_CHARS = 4096
MAX_TAGS = 50
UNTITLED = "(untitled)"
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_FUTURE_SLACK = timedelta(days=1)

# Only parameters that exist to track clicks; `ref`, `source` and the like sometimes select
# content, so they stay.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "_ga", "_gl",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize(raw: RawPosting, *, source: str, now: datetime) -> Posting:
    """One raw posting, cleaned; `now` (UTC) stands in for missing or implausible dates."""
    now = as_utc(now)
    raw = capped(raw)
    description = html_to_text(raw.description_html or "")
    title = clean_line(raw.title) or _title_from(description)
    url = canonical_url(raw.url)
    guid = (raw.guid or "").strip() or None
    return Posting(
        source=source,
        dedup_key=dedup_key(guid=guid, url=url, title=title, description=description),
        title=title,
        url=url,
        external_id=guid,
        company=clean_line(raw.company or "")[:MAX_TITLE_CHARS] or None,
        location=clean_line(raw.location or "")[:MAX_TITLE_CHARS] or None,
        description=description,
        description_html=_sanitize(raw.description_html),
        tags=_tags(raw.tags, title, description),
        posted_at=_posted_at(raw.posted_at, now),
        first_seen_at=now,
        job=job_details(raw, title=title, description=description, now=now),
    )


def capped(raw: RawPosting) -> RawPosting:
    """The posting with every text cleaned (`cleaned`) and every text field cut to its cap, so
    no regex sees a hostile length."""
    raw = cleaned(raw)

    def cut(value: str | None, limit: int) -> str | None:
        return value[:limit] if isinstance(value, str) else value

    def short(value: Any) -> Any:
        return value[:MAX_FIELD_CHARS] if isinstance(value, str) else value

    return dataclasses.replace(
        raw,
        title=cut(raw.title, MAX_TITLE_CHARS) or "",
        guid=cut(raw.guid, MAX_TITLE_CHARS),
        url=cut(raw.url, MAX_URL_CHARS),
        company=cut(raw.company, MAX_FIELD_CHARS),
        location=cut(raw.location, MAX_FIELD_CHARS),
        description_html=cut(raw.description_html, MAX_HTML_CHARS),
        tags=tuple(short(tag) for tag in raw.tags[:MAX_TAGS] if isinstance(tag, str)),
        remote=short(raw.remote),
        employment_type=cut(raw.employment_type, MAX_FIELD_CHARS),
        pay_min=short(raw.pay_min),
        pay_max=short(raw.pay_max),
        currency=cut(raw.currency, MAX_FIELD_CHARS),
        pay_period=cut(raw.pay_period, MAX_FIELD_CHARS),
        pay_text=cut(raw.pay_text, MAX_TITLE_CHARS),
        duration_text=cut(raw.duration_text, MAX_TITLE_CHARS),
        deadline=short(raw.deadline),
    )


def cleaned(raw: RawPosting) -> RawPosting:
    """The posting with every string in every field, nested ones included, through clean_text:
    no lone surrogate or NUL reaches a parser, the store or an alert, whichever field (present
    or added later) holds it."""
    changes = {f.name: clean_data(getattr(raw, f.name)) for f in dataclasses.fields(raw)}
    return dataclasses.replace(raw, **changes)


def job_details(raw: RawPosting, *, title: str, description: str, now: datetime) -> JobDetails:
    """Remote, employment type, pay, duration and deadline: structured fields first, then the
    text (title before description)."""
    pay = pay_from_fields(raw.pay_min, raw.pay_max, raw.currency, raw.pay_period) or _first_pay(
        raw.pay_text, title, description
    )
    duration = parse_duration_text(raw.duration_text or "") or parse_duration_text(
        f"{title}\n{description}"
    )
    return JobDetails(
        # The field, the title and the place decide "remote": a description saying "not remote"
        # or "remote-friendly team" elsewhere would mislead; only a plain "Fully remote." counts.
        remote=_remote(raw, title, description),
        employment_type=infer_employment_type(title, description, hint=raw.employment_type),
        pay_min=pay.min if pay else None,
        pay_max=pay.max if pay else None,
        currency=pay.currency if pay else None,
        pay_period=pay.period if pay else None,
        duration=duration.text if duration else None,
        duration_min_hours=duration.min_hours if duration else None,
        duration_max_hours=duration.max_hours if duration else None,
        deadline=parse_deadline(raw.deadline, now=now) if raw.deadline is not None else None,
    )


def _remote(raw: RawPosting, title: str, description: str) -> Remote:
    found = parse_remote(raw.remote, title, raw.location)
    return found if found != "unknown" else stated_remote(description)


def _first_pay(*texts: str | None) -> Pay | None:
    for text in texts:
        if text and (pay := parse_pay(text)):
            return pay
    return None


def normalize_all(raws: Iterable[RawPosting], *, source: str, now: datetime) -> list[Posting]:
    """Normalize a batch, keeping the first of postings that share a dedup key."""
    postings: dict[str, Posting] = {}
    for raw in raws:
        posting = normalize(raw, source=source, now=now)
        postings.setdefault(posting.dedup_key, posting)
    return list(postings.values())


def dedup_key(*, guid: str | None, url: str | None, title: str, description: str) -> str:
    """`guid:<guid>`, else `url:<canonical url>`, else `hash:<sha256 of title and description>`."""
    if guid:
        return _bounded_key("guid", guid)
    if url:
        return _bounded_key("url", url)
    digest = hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()
    return f"hash:{digest}"


def _bounded_key(kind: str, value: str) -> str:
    """`kind:value`, or `kind-sha256:<digest of value>` past MAX_KEY_BYTES."""
    key = f"{kind}:{value}"
    if len(key) * 4 <= MAX_KEY_BYTES or len(key.encode()) <= MAX_KEY_BYTES:
        return key
    return f"{kind}-sha256:{hashlib.sha256(value.encode()).hexdigest()}"


def canonical_url(url: str | None) -> str | None:
    """An http(s) URL without tracking parameters or fragment, scheme and host lowercased.

    Anything that is not a valid http or https URL (`javascript:`, `mailto:`) gives None.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    userinfo = parts.netloc.rpartition("@")[0]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = (f"{userinfo}@" if userinfo else "") + host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.partition("=")[0]).strip().lower()
    return name.startswith(_TRACKING_PREFIXES) or name in _TRACKING_PARAMS


def _sanitize(markup: str | None) -> str | None:
    if not markup:
        return None
    cleaned = nh3.clean(markup[:MAX_HTML_CHARS]).strip()
    return cleaned or None


def _title_from(description: str) -> str:
    return first_line(description) or UNTITLED


def _tags(raw_tags: Iterable[str], title: str, description: str) -> tuple[str, ...]:
    folded = [fold_tag(tag) for tag in raw_tags]
    folded += extract_hashtags(f"{title}\n{description}")
    return tuple(dict.fromkeys(tag for tag in folded if tag))


def _posted_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    value = as_utc(value)
    if value < _EARLIEST or value > now + _FUTURE_SLACK:
        return now
    return value
