"""From a URL to the sources that read it (`aggregate sources add`): a known board form needs no
request; anything else is fetched once through the shared client and read as a feed, an OPML
list or a careers page that embeds a board."""

from __future__ import annotations

from dataclasses import dataclass, field

from aggregator.adapters.careers_page import Finding, feed_source, scan_page, sniff
from aggregator.adapters.opml import Opml, OpmlError, read_opml
from aggregator.adapters.recognise import recognise_url, with_scheme
from aggregator.fetch.client import HttpClient
from aggregator.fetch.scope import FetchScope, fetch_scope

__all__ = [
    "Discovery",
    "NothingFoundError",
    "discover",
    "from_opml",
    "known_board",
    "read_document",
]

SCOPE_NAME = "sources add"
ACCEPT = (
    "text/html, application/rss+xml, application/atom+xml, application/feed+json, "
    "text/x-opml, application/xml;q=0.9, */*;q=0.5"
)


class NothingFoundError(ValueError):
    """The URL's document is neither a feed, an OPML list nor a page with a known board."""


@dataclass(frozen=True, slots=True)
class Discovery:
    """The sources found, best first (the first is the one to add), and what was read."""

    findings: tuple[Finding, ...]
    read: str  # "url" (a known board form), "feed", "opml" or "page"
    notes: tuple[str, ...] = field(default_factory=tuple)


async def discover(target: str, client: HttpClient) -> Discovery:
    """The sources for `target` (BadBoardUrlError, NothingFoundError, or SourceError: the fetch)."""
    url = with_scheme(target)
    if (known := known_board(url)) is not None:
        return known
    # The user's URL is the fetch's home (as a source's url is): private addresses on it
    # are allowed, a redirect elsewhere passes the address guard.
    with fetch_scope(FetchScope.of_urls([url], source=SCOPE_NAME)):
        response = await client.get(url, headers={"Accept": ACCEPT})
    if response.url != url and (moved := recognise_url(response.url)) is not None:
        return Discovery((Finding(moved, f"redirect to {response.url}"),), "url")
    return read_document(response.body, url, response.headers.get("content-type"))


def known_board(target: str) -> Discovery | None:
    """The board a URL is written as, found without a request (None: not a known form)."""
    known = recognise_url(with_scheme(target))
    return Discovery((Finding(known, "the URL"),), "url") if known is not None else None


def read_document(body: bytes, url: str, content_type: str | None) -> Discovery:
    """A fetched document's sources: a feed, every feed of an OPML list, or a page's boards."""
    kind = sniff(body, content_type)
    if kind in ("rss", "jsonfeed"):
        return Discovery((Finding(feed_source(url, kind), "the feed"),), "feed")
    if kind == "opml":
        return from_opml(body, where=url)
    if kind != "html":
        raise NothingFoundError(f"{url} is not a feed, an OPML file or an HTML page")
    findings = scan_page(body, url)
    if not findings:
        raise NothingFoundError(
            f"no job board, feed or ATS embed found on {url}; read the page itself with the "
            "html adapter (CSS selectors: see `aggregate sources list`, entry html)"
        )
    return Discovery(tuple(findings), "page")


def from_opml(body: bytes, *, where: str) -> Discovery:
    """One rss source per outline with an xmlUrl, nested outlines included."""
    try:
        opml = read_opml(body)
    except OpmlError as exc:
        raise NothingFoundError(f"{where}: {exc}") from None
    findings = tuple(
        Finding(feed_source(outline.url, "rss", outline.title), f"outline {outline.url}")
        for outline in opml.feeds
    )
    return Discovery(findings, "opml", _opml_notes(opml))


def _opml_notes(opml: Opml) -> tuple[str, ...]:
    notes = []
    if opml.without_url:
        notes.append(f"{opml.without_url} outline(s) without an xmlUrl skipped")
    if opml.not_http:
        notes.append(f"{len(opml.not_http)} non-http(s) xmlUrl(s) skipped: {opml.not_http[0]}")
    return tuple(notes)
