"""The generic HTML adapter: CSS selectors per field (selectolax), next-link pages, robots.txt."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from aggregator import redact
from aggregator.adapters.base import (
    Adapter,
    AdapterOptions,
    FetchResult,
    FetchState,
    Page,
    parse_aside,
)
from aggregator.adapters.rss import MAX_DESCRIPTION_CHARS
from aggregator.dates import from_iso, from_rfc2822
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.fetch.scope import origin_of
from aggregator.models import RawPosting
from aggregator.redact import without_userinfo
from aggregator.text import MAX_TITLE_CHARS

__all__ = [
    "ROBOTS",
    "FieldSelector",
    "HtmlAdapter",
    "HtmlOptions",
    "RobotsCache",
    "next_page_url",
    "parse_listings",
]

MAX_ITEMS = 1000  # listings read from one page
MAX_FIELD_CHARS = 1024
MAX_TAGS = 50
ROBOTS_TTL = 3600.0  # seconds a host's robots.txt is trusted before it is fetched again
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 2.5: parse at least 500 KiB
ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

FieldName = Literal[
    "id", "title", "url", "company", "location", "posted_at", "tags", "description",
    "pay_text", "employment_type", "remote", "deadline", "duration_text",
]  # fmt: skip
# A plain selector reads the text, except where an attribute holds the real value: a link's
# `href` for `url`, a `<time datetime=...>` for dates. The text is the fallback.
_NATURAL_ATTRS: Mapping[str, str] = {"url": "href", "posted_at": "datetime", "deadline": "datetime"}
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([\w.:-]+)""", re.IGNORECASE)


def _check_css(selector: str) -> str:
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError:
        raise ValueError(f"invalid CSS selector {selector!r}") from None
    return selector


class FieldSelector(BaseModel):
    """Where one field is in a listing: `"h2 a"` (its text) or `{selector: ..., attr: href}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    selector: str
    attr: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"selector": value} if isinstance(value, str) else value

    @field_validator("selector")
    @classmethod
    def _valid_selector(cls, selector: str) -> str:
        return _check_css(selector)


class HtmlOptions(AdapterOptions):
    """Selectors relative to each `item`; selectors match the item itself too (lexbor)."""

    item: str = Field(description="CSS selector of one listing")
    fields: dict[FieldName, FieldSelector] = Field(description="posting field -> selector")
    next: str | None = Field(None, description="CSS selector of the next-page link")
    max_pages: int = Field(3, ge=1, le=20)
    base_url: str | None = Field(None, description="base for relative links (default: the page)")

    @field_validator("item", "next")
    @classmethod
    def _valid_selector(cls, selector: str | None) -> str | None:
        return None if selector is None else _check_css(selector)

    @field_validator("fields")
    @classmethod
    def _has_title(cls, fields: dict[FieldName, FieldSelector]) -> dict[FieldName, FieldSelector]:
        if "title" not in fields:
            raise ValueError("needs a `title` selector")
        return fields

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, url: str | None) -> str | None:
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"expected an http:// or https:// URL, got {redact.scrub(repr(url))}")
        return url


class HtmlAdapter(Adapter[HtmlOptions]):
    """Any HTML listing page, described by CSS selectors in the source's options."""

    name: ClassVar[str] = "html"
    Options: ClassVar[type[AdapterOptions]] = HtmlOptions

    def home_urls(self) -> tuple[str, ...]:
        # base_url is written in the config too: next links resolved against it stay home.
        base = self.options.base_url
        return (*super().home_urls(), *((base,) if base else ()))

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        pages: list[Page] = []
        url: str | None = self.url
        while url is not None and len(pages) < self.options.max_pages:
            await ROBOTS.check(client, url)
            response = await client.get(
                url, headers={"Accept": ACCEPT}, max_bytes=self.source.max_body_bytes
            )
            pages.append(Page(response.url, response.body, response.headers.get("Content-Type")))
            # lexbor is native and quadratic in a page's nesting: parsed where `parse` is.
            url = await parse_aside(_next_link, response.body, response.url, self.options)
            if url is not None and without_userinfo(url) in {page.url for page in pages}:
                url = None  # a "next" link back to a page already read ends the walk
        return FetchResult.of_pages(pages, state)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        return parse_listings(body, url=url, options=self.options)


# Parsing is pure (bytes in, postings out) so that it can be moved into a child process:
# selectolax is C code and has crashed on hostile pages before.


def parse_listings(body: bytes, *, url: str, options: HtmlOptions) -> list[RawPosting]:
    """The listings on one page; [] when `item` matches nothing (a page with no listings)."""
    text = _decode(body)
    if not text.strip():
        raise SourceError("html: the page is empty")
    tree = LexborHTMLParser(text)
    base = _base_url(tree, options.base_url or url)
    items = tree.css(options.item)[:MAX_ITEMS]
    postings = [p for item in items if (p := _posting(item, options.fields, base)) is not None]
    if items and not postings:
        title = options.fields["title"].selector
        raise SourceError(
            f"html: none of the {len(items)} listings matched by {options.item!r} "
            f"has a title matched by {title!r}"
        )
    return postings


def next_page_url(body: bytes, *, url: str, options: HtmlOptions) -> str | None:
    """The absolute http(s) URL of the page's next-page link, if `next` finds one."""
    if options.next is None:
        return None
    tree = LexborHTMLParser(_decode(body))
    link = tree.css_first(options.next)
    href = (link.attrs.get("href") or "").strip() if link is not None else ""
    if not href:
        return None
    target = urljoin(_base_url(tree, options.base_url or url), href)
    return target if urlsplit(target).scheme in ("http", "https") else None


def _next_link(body: bytes, url: str, options: HtmlOptions) -> str | None:
    return next_page_url(body, url=url, options=options)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET_RE.search(body[:4096])
    try:
        return body.decode(declared[1].decode("ascii") if declared else "cp1252", "replace")
    except LookupError:  # an unknown charset name
        return body.decode("cp1252", "replace")


def _base_url(tree: LexborHTMLParser, page_url: str) -> str:
    """The page's `<base href>` (relative to the page), as browsers resolve links."""
    base = tree.css_first("base[href]")
    href = (base.attrs.get("href") or "").strip() if base is not None else ""
    return urljoin(page_url, href) if href else page_url


def _posting(
    item: LexborNode, fields: Mapping[FieldName, FieldSelector], base: str
) -> RawPosting | None:
    def first(name: FieldName) -> str | None:
        spec = fields.get(name)
        node = item.css_first(spec.selector) if spec is not None else None
        return _read(node, spec, name) if node is not None and spec is not None else None

    title = first("title")
    if not title:
        return None  # an ad, a header row or a "no results" line among the listings
    link = first("url")
    return RawPosting(
        title=title[:MAX_TITLE_CHARS],
        guid=first("id"),
        url=urljoin(base, link) if link else None,
        company=first("company"),
        location=first("location"),
        description_html=_description(item, fields.get("description"), base),
        tags=_tags(item, fields.get("tags")),
        posted_at=_date(first("posted_at")),
        remote=first("remote"),
        employment_type=first("employment_type"),
        pay_text=first("pay_text"),
        duration_text=first("duration_text"),
        deadline=first("deadline"),
    )


def _read(node: LexborNode, spec: FieldSelector, name: str) -> str | None:
    natural = _NATURAL_ATTRS.get(name)
    if spec.attr is not None:
        value = node.attrs.get(spec.attr) or ""
    elif natural is not None and (found := node.attrs.get(natural)):
        value = found
    else:
        value = node.text(separator=" ")
    return " ".join(value.split())[:MAX_FIELD_CHARS] or None


def _tags(item: LexborNode, spec: FieldSelector | None) -> tuple[str, ...]:
    if spec is None:
        return ()
    values = (_read(node, spec, "tags") for node in item.css(spec.selector))
    return tuple(dict.fromkeys(v for v in values if v))[:MAX_TAGS]


def _description(item: LexborNode, spec: FieldSelector | None, base: str) -> str | None:
    node = item.css_first(spec.selector) if spec is not None else None
    if node is None or spec is None:
        return None
    if spec.attr is not None:
        return (node.attrs.get(spec.attr) or "")[:MAX_DESCRIPTION_CHARS] or None
    # Links inside the description must work away from the page they came from.
    for child in node.css("a[href], img[src]"):
        attr = "href" if child.tag == "a" else "src"
        child.attrs[attr] = urljoin(base, (child.attrs.get(attr) or "").strip())
    return (node.inner_html or "").strip()[:MAX_DESCRIPTION_CHARS] or None


def _date(text: str | None) -> datetime | None:
    """ISO 8601 (`<time datetime>`) or RFC 2822; anything else (`3 days ago`) is unknown."""
    if not text:
        return None
    return from_iso(text) or from_rfc2822(text)


class RobotsCache:
    """Each origin's robots.txt rules, fetched once and trusted for `ttl` seconds.

    Module-wide (see ROBOTS), not per adapter: several sources may read one host, and an
    adapter is plain data that goes to parse workers.
    """

    def __init__(
        self, ttl: float = ROBOTS_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._rules: dict[str, tuple[float, Protego]] = {}

    def clear(self) -> None:
        self._rules.clear()

    async def check(self, client: HttpClient, url: str) -> None:
        """SourceError unless the URL's robots.txt lets our user agent fetch it. The origin
        is read by the client's own URL parser: the robots.txt asked for is that of the
        origin the page request goes to (an IPv6 literal keeps its brackets)."""
        try:
            parsed = httpx.URL(url)
            origin = str(origin_of(parsed))
        except httpx.InvalidURL:
            return  # the page request itself fails with the reason
        rules = await self._rules_for(client, origin)
        if not rules.can_fetch(url, client.config.user_agent):
            host = origin.split("://", 1)[1]
            path = parsed.path or "/"  # never the query: it may hold a key
            raise SourceError(f"robots.txt of {host} disallows {path} for our user agent")

    async def _rules_for(self, client: HttpClient, origin: str) -> Protego:
        cached = self._rules.get(origin)
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        rules = await _fetch_robots(client, origin)
        self._rules[origin] = (self._clock(), rules)
        return rules


async def _fetch_robots(client: HttpClient, origin: str) -> Protego:
    """RFC 9309 2.3.1: a 4xx means no rules; a 5xx or no answer means everything is disallowed
    (not cached, so the next run asks again)."""
    try:
        response = await client.get(f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES)
    except FetchError as exc:
        if exc.refused:  # the scope or the guard, not the site: say so as it is
            raise
        # 429 is "slow down", not "no robots.txt": treated like a 5xx, as Google does.
        if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
            return Protego.parse("")
        raise SourceError(
            f"robots.txt of {urlsplit(origin).netloc} is unreachable ({exc}); "
            "RFC 9309 says to assume everything is disallowed"
        ) from None
    return Protego.parse(response.body.decode("utf-8", "replace"))


ROBOTS = RobotsCache()
