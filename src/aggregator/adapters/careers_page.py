"""What a fetched document is (feed, OPML, careers page), and the job boards a careers page
embeds or links to. Pure: bytes in, findings out.

The page is read with regular expressions, not an HTML parser: the scan only needs URLs, and
it must find them in inline scripts and JSON (`https:\\/\\/jobs.lever.co\\/acme`) as well as in
attributes.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from aggregator.adapters.recognise import BadBoardUrlError, Recognised, recognise_url, slug

__all__ = [
    "JSON_FEED_OPTIONS",
    "DocumentKind",
    "Finding",
    "feed_source",
    "guess_greenhouse",
    "scan_page",
    "sniff",
]

DocumentKind = Literal["html", "rss", "jsonfeed", "opml", "other"]

# A JSON Feed (https://jsonfeed.org/version/1.1) read by the json_api adapter: the rss adapter
# (feedparser) reads RSS and Atom only.
JSON_FEED_OPTIONS: dict[str, Any] = {
    "records": "items",
    "fields": {
        "id": "id",
        "title": "title",
        "url": "url",
        "posted_at": "date_published",
        "description": ["content_html", "content_text", "summary"],
        "tags": "tags",
    },
}
_FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "rss",
    "application/rdf+xml": "rss",
    # Not application/json: WordPress links every page to its REST API with that type.
    "application/feed+json": "jsonfeed",
}
_SCAN_CHARS = 4 * 1024 * 1024  # a careers page's markup; the rest is not looked at
_FIRST_ELEMENT_RE = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_ATS_HOSTS = (
    r"greenhouse\.io|lever\.co|ashbyhq\.com|workable\.com|recruitee\.com|teamtailor\.com"
    r"|myworkdayjobs\.com|personio\.(?:de|com)|smartrecruiters\.com"
)
# Absolute (or scheme-relative) URLs on a job-board host, wherever they are written.
_BOARD_URL_RE = re.compile(
    rf"(?:https?:)?//(?:[a-z0-9-]+\.)*(?:{_ATS_HOSTS})(?![a-z0-9.-])[^\s\"'<>\\)`]*",
    re.IGNORECASE,
)
_LINK_TAG_RE = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_TAG_START_RE = re.compile(r"<([a-z][a-z0-9]*)\b[^<>]*$", re.IGNORECASE)
_GH_JID_RE = re.compile(r"[?&](?:amp;)?gh_jid=\d+")
_HOST_PREFIXES = frozenset({"www", "careers", "career", "jobs", "join", "work", "apply"})
_TAG_NAMES = {"script": "script", "iframe": "iframe", "a": "link", "link": "link"}


@dataclass(frozen=True, slots=True)
class Finding:
    """A source found in a page, and where: `script https://boards.greenhouse.io/...`."""

    source: Recognised
    how: str


def sniff(body: bytes, content_type: str | None = None) -> DocumentKind:
    """What a response is, from its first element (or JSON's `version`), then its type."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "jsonfeed" if _is_json_feed(body) else "other"
    if found := _FIRST_ELEMENT_RE.search(head if head.startswith(b"<") else b""):
        root = found[1].decode("ascii", "replace").rsplit(":", 1)[-1].lower()
        if root in ("rss", "feed", "rdf"):
            return "rss"
        if root in ("opml", "html"):
            return root  # type: ignore[return-value]  # both are DocumentKind values
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return "html" if media in ("text/html", "application/xhtml+xml") else "other"


def _is_json_feed(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False
    version = data.get("version") if isinstance(data, dict) else None
    return isinstance(version, str) and version.startswith("https://jsonfeed.org/version/")


def feed_source(url: str, kind: DocumentKind, title: str | None = None) -> Recognised:
    """The source that reads a feed: rss for RSS and Atom, json_api for a JSON Feed."""
    host = (urlsplit(url).hostname or "feed").lower().removeprefix("www.")
    token = slug(title or "", fallback="") or slug(host, fallback="feed")
    if kind == "jsonfeed":
        return Recognised("json_api", token, url, url=url, options=JSON_FEED_OPTIONS)
    return Recognised("rss", token, url, url=url)


def scan_page(body: bytes, page_url: str) -> list[Finding]:
    """The boards a careers page embeds or links to (in page order), then its feeds
    (`<link rel="alternate">`), then a guessed Greenhouse board if it only has gh_jid links.
    Boards come before feeds: a site's blog feed in the <head> is not its job board."""
    text = body[:_SCAN_CHARS].decode("utf-8", "replace").replace("\\/", "/")
    boards = _boards(text, page_url)
    feeds = _feeds(text, page_url)
    found = _unique(boards + feeds)
    if _GH_JID_RE.search(text) and not any(f.source.adapter == "greenhouse" for f in found):
        found.append(Finding(guess_greenhouse(page_url), "gh_jid links (Greenhouse job ids)"))
    return found


def _boards(text: str, page_url: str) -> list[Finding]:
    found = []
    for match in _BOARD_URL_RE.finditer(text):
        url = urljoin(page_url, html.unescape(match[0]).rstrip(".,;"))
        try:
            source = recognise_url(url)
        except BadBoardUrlError:
            continue  # a board host without a board in the URL (a vendor's logo link ...)
        if source is not None:
            found.append(Finding(source, f"{_context(text, match.start())} {url}"))
    return found


def _context(text: str, at: int) -> str:
    """The element a URL is written in (`script`, `iframe`, `link`), else `text`."""
    tag = _TAG_START_RE.search(text, max(0, at - 2000), at)
    return _TAG_NAMES.get(tag[1].lower(), tag[1].lower()) if tag else "text"


def _feeds(text: str, page_url: str) -> list[Finding]:
    found = []
    for tag in _LINK_TAG_RE.finditer(text):
        attrs = _attributes(tag[0])
        kind = _FEED_TYPES.get(attrs.get("type", "").strip().lower())
        rel = attrs.get("rel", "").lower().split()
        href = attrs.get("href", "").strip()
        if kind is None or "alternate" not in rel or not href:
            continue
        url = urljoin(page_url, href)
        if urlsplit(url).scheme in ("http", "https"):
            source = feed_source(url, kind, attrs.get("title"))  # type: ignore[arg-type]
            found.append(Finding(source, f"feed {url}"))
    return found


def _attributes(tag: str) -> dict[str, str]:
    return {m[1].lower(): html.unescape(m[2] or m[3] or m[4] or "") for m in _ATTR_RE.finditer(tag)}


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in findings:
        if finding.source.key not in seen:
            seen.add(finding.source.key)
            unique.append(finding)
    return unique


def guess_greenhouse(page_url: str) -> Recognised:
    """A Greenhouse board guessed from the page's domain (careers.acme.com -> acme): gh_jid
    links carry a job id, never the board token."""
    labels = (urlsplit(page_url).hostname or "").lower().split(".")
    while len(labels) > 2 and labels[0] in _HOST_PREFIXES:
        labels = labels[1:]
    token = slug(labels[0] if labels else "", fallback="company")
    board_url = f"https://boards.greenhouse.io/{token}"
    return Recognised("greenhouse", token, board_url, options={"board": token}, guessed=True)
