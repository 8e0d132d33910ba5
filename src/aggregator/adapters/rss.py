"""The generic RSS/Atom adapter: conditional fetch through the shared client, feedparser parse."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any, ClassVar, Generic
from urllib.parse import urljoin

import feedparser
from feedparser.mixin import _FeedParserMixin

from aggregator.adapters._xmlguard import UnsafeXmlError, check_prolog
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState, OptionsT
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from aggregator.text import MAX_TITLE_CHARS

__all__ = [
    "MAX_DESCRIPTION_CHARS",
    "MAX_ENTRIES",
    "MAX_TITLE_CHARS",
    "FeedAdapter",
    "RssAdapter",
    "cap_people",
    "feed_ttl",
    "guard_xml",
    "parse_feed",
]

log = logging.getLogger(__name__)

MAX_ENTRIES = 5000
MAX_DESCRIPTION_CHARS = 64 * 1024
MAX_FIELD_CHARS = 256  # company, location, one tag
MAX_TAGS = 50
# Elements whose text feedparser runs an e-mail regex over that is quadratic in the text's length
# (64 KiB took a minute): their text is cut to MAX_FIELD_CHARS bytes before feedparser sees it.
_PERSON_RE = re.compile(
    rb"(<(?P<tag>(?:[\w.-]{1,40}:)?(?:author|creator|managingeditor|webmaster|publisher|"
    rb"contributor|name|email))(?:\s[^<>]{0,1024})?>)(?P<text>[^<]{%d,})(?=</(?P=tag)>)"
    % (MAX_FIELD_CHARS + 1),
    re.IGNORECASE,
)
_TTL_RE = re.compile(rb"<ttl>\s*(\d{1,6})\s*</ttl>", re.IGNORECASE)
_TTL_SCAN_BYTES = 64 * 1024

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Element names that job feeds use for the employer and the place; feedparser maps `<company>`
# to `company` and a namespaced `<job:company>` to `job_company`.
_COMPANY_KEYS = ("company", "companyname", "company_name", "employer", "hiringorganization")
_LOCATION_KEYS = ("location", "joblocation", "job_location", "region", "city", "country")
# feedparser resolves a permalink <guid> or Atom <id> against the feed's URL (`12345` becomes
# `https://host/12345`), so every dedup key would change with the feed URL (a config edit, a
# redirect) and the whole feed would alert again. Ids stay as written; `_link` resolves links.
_FeedParserMixin.can_be_relative_uri = _FeedParserMixin.can_be_relative_uri - {"id"}
# Bad data inside one entry (odd types, out-of-range dates) skips that entry only.
_ENTRY_ERRORS = (AttributeError, KeyError, IndexError, TypeError, ValueError, OverflowError)


class FeedAdapter(Adapter[OptionsT], Generic[OptionsT]):
    """Any RSS 0.9x/1.0/2.0 or Atom feed; the boards that publish feeds extend it with their
    own options (where the feed is) and parsing."""

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        return await self.fetch_conditional(
            client, state, self.url, headers={"Accept": ACCEPT}, body_hint=feed_ttl
        )

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        return parse_feed(body, url=url)


class RssAdapter(FeedAdapter[AdapterOptions]):
    """The rss adapter itself: the feed at the source's url."""

    name: ClassVar[str] = "rss"


def parse_feed(body: bytes, *, url: str) -> list[RawPosting]:
    """Parse RSS/Atom bytes into raw postings; SourceError if the body is not a feed."""
    guard_xml(body)
    document = _feedparser(cap_people(body), url)
    entries = document.get("entries") or []
    if not entries and not document.get("version"):
        raise SourceError(f"not an RSS or Atom feed: {_why_not_a_feed(body, document)}")
    postings = []
    for index, entry in enumerate(entries[:MAX_ENTRIES]):
        try:
            posting = _raw_posting(entry, url)
        except _ENTRY_ERRORS as exc:
            log.warning("skipping feed entry %d: %s: %s", index, type(exc).__name__, exc)
            continue
        if posting is not None:
            postings.append(posting)
    return postings


def feed_ttl(body: bytes) -> timedelta | None:
    """The channel's `<ttl>` (RSS 2.0: minutes to cache the feed), read from the document's
    start only: it comes before the items, and a bounded scan needs no parse."""
    found = _TTL_RE.search(body[:_TTL_SCAN_BYTES])
    minutes = int(found.group(1)) if found else 0
    return timedelta(minutes=minutes) if minutes > 0 else None


def cap_people(body: bytes) -> bytes:
    """The body with every author-like element's text cut to MAX_FIELD_CHARS bytes (at a
    character boundary, dropping a cut entity reference)."""
    return _PERSON_RE.sub(_cut_person, body)


def _cut_person(found: re.Match[bytes]) -> bytes:
    text = found.group("text")[:MAX_FIELD_CHARS]
    while text and text[-1] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to a boundary
        text = text[:-1]
    if text and text[-1] >= 0x80:
        text = text[:-1]  # the lead byte of the cut character
    if (amp := text.rfind(b"&")) >= 0 and b";" not in text[amp:]:
        text = text[:amp]
    return found.group(1) + text


def guard_xml(body: bytes) -> None:
    """SourceError for a document declaring entities that could expand or fetch (XXE)."""
    try:
        check_prolog(body)
    except UnsafeXmlError as exc:
        raise SourceError(f"refused: {exc}") from None


def _feedparser(body: bytes, url: str) -> Any:
    # A stream, never bytes or str: feedparser fetches a str URL and *opens a bytes or str value
    # that names an existing file*, so a body of b"/etc/passwd" would read that file.
    return feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )


def _why_not_a_feed(body: bytes, document: Mapping[str, Any]) -> str:
    head = body[:512].lstrip().lower()
    if not head:
        return "the body is empty"
    if head.startswith((b"<!doctype html", b"<html")):
        return "got an HTML page"
    if head.startswith((b"{", b"[")):
        return "got JSON"
    problem = document.get("bozo_exception")
    # Encoding and media-type notes (e.g. "no Content-type specified") are not the reason.
    if problem is not None and not isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
        return str(problem).strip()[:160] or type(problem).__name__
    return "no <rss>, <feed> or <rdf:RDF> root element"


def _raw_posting(entry: Mapping[str, Any], base_url: str) -> RawPosting | None:
    title = _text(entry.get("title"), MAX_TITLE_CHARS)
    link = _link(entry, base_url)
    description = _description(entry)
    if not (title or link or description):
        return None  # an empty <item/>
    return RawPosting(
        title=title,
        guid=_text(entry.get("id"), MAX_TITLE_CHARS) or None,
        url=link,
        company=_company(entry),
        location=_named_field(entry, _LOCATION_KEYS),
        description_html=description or None,
        tags=_tags(entry.get("tags")),
        posted_at=_posted_at(entry),
    )


def _text(value: object, limit: int) -> str:
    return value[:limit].strip() if isinstance(value, str) else ""


def _link(entry: Mapping[str, Any], base_url: str) -> str | None:
    link = _text(entry.get("link"), 4096)
    return urljoin(base_url, link) if link else None


def _description(entry: Mapping[str, Any]) -> str:
    content = entry.get("content")
    first = content[0] if isinstance(content, list) and content else None
    if isinstance(first, Mapping) and (value := _text(first.get("value"), MAX_DESCRIPTION_CHARS)):
        return value
    return _text(entry.get("summary"), MAX_DESCRIPTION_CHARS)


def _company(entry: Mapping[str, Any]) -> str | None:
    if company := _named_field(entry, _COMPANY_KEYS):
        return company
    # RSS `<author>email (Name)</author>`: feedparser's own split cuts long TLDs (`.example`
    # becomes `.exam` + `ple (Name`), so the stdlib address parser reads it instead.
    name, address = parseaddr(_text(entry.get("author"), MAX_FIELD_CHARS))
    if "@" in address:
        return name.strip() or None  # an address alone does not name the employer
    detail = entry.get("author_detail")
    if isinstance(detail, Mapping) and (name := _text(detail.get("name"), MAX_FIELD_CHARS)):
        return name
    return _text(entry.get("author"), MAX_FIELD_CHARS) or None


def _named_field(entry: Mapping[str, Any], names: Iterable[str]) -> str | None:
    """The first string field called one of `names`, with or without a namespace prefix."""
    for name in names:
        for key in (name, *(k for k in entry if isinstance(k, str) and k.endswith("_" + name))):
            if value := _text(entry.get(key), MAX_FIELD_CHARS):
                return value
    return None


def _tags(tags: object) -> tuple[str, ...]:
    if not isinstance(tags, list):
        return ()
    terms = (_text(t.get("term"), MAX_FIELD_CHARS) for t in tags if isinstance(t, Mapping))
    return tuple(term for term in terms if term)[:MAX_TAGS]


def _posted_at(entry: Mapping[str, Any]) -> datetime | None:
    # feedparser gives UTC struct_times; a date it cannot read is None. The `in` test avoids
    # feedparser's deprecated fallback from `updated_parsed` to `published_parsed`.
    parsed = entry.get("published_parsed")
    if parsed is None and "updated_parsed" in entry:
        parsed = entry.get("updated_parsed")
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
