"""Pagination for the JSON adapters: one small class per `pagination.type`, chosen by name, and
the one loop that follows them (`fetch_pages`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal
from urllib.parse import urljoin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from aggregator.adapters._json import QueryValue, with_query
from aggregator.adapters.base import Page
from aggregator.adapters.json_paths import JsonPath, check_path

if TYPE_CHECKING:
    from aggregator.fetch.client import HttpClient

__all__ = [
    "CursorPagination",
    "LinkHeaderPagination",
    "NextLinkPagination",
    "NoPagination",
    "OffsetPagination",
    "PagePagination",
    "PageView",
    "Pagination",
    "Paginator",
    "fetch_pages",
    "next_link_from_header",
]

PathText = Annotated[str, AfterValidator(check_path)]
# `<https://x/?page=2>; rel="next"`: one link-value of an RFC 8288 `Link` header.
_PARAM: Final = r'[^;,"]*(?:"[^"]*"[^;,"]*)*'  # commas may sit inside quoted values
# The target never holds `<` (RFC 3986 has no literal `<` or `>`): with `[^>]*` a header of a
# hundred thousand `<` cost a minute of CPU in the fetching process (each `<` scanned to the end),
# and a run of `<` before a link became part of its URL.
_LINK_RE: Final = re.compile(rf"<([^<>]*)>((?:\s*;\s*{_PARAM})*)")
_REL_RE: Final = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageView:
    """What a paginator may look at after fetching page `number` (0 for the first)."""

    url: str
    number: int
    document: Any
    headers: Mapping[str, str]
    records: int


class Paginator(BaseModel):
    """A pagination strategy; its fields are the YAML options under `pagination:`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def first_url(self, url: str) -> str:
        return url

    def next_url(self, page: PageView) -> str | None:
        return None


class NoPagination(Paginator):
    """One request."""

    type: Literal["none"] = "none"


class PagePagination(Paginator):
    """`?page=N`, counting from `start`; stops at `total_pages_path` or a short page."""

    type: Literal["page"]
    param: str = "page"
    start: int = Field(1, ge=0)
    size_param: str | None = None
    size: int | None = Field(None, gt=0)
    total_pages_path: PathText | None = None

    def first_url(self, url: str) -> str:
        return with_query(url, self._query(self.start))

    def next_url(self, page: PageView) -> str | None:
        if _short(page, self.size) or self._was_last(page):
            return None
        return with_query(page.url, self._query(self.start + page.number + 1))

    def _query(self, number: int) -> dict[str, QueryValue]:
        query: dict[str, QueryValue] = {self.param: number}
        if self.size_param and self.size:
            query[self.size_param] = self.size
        return query

    def _was_last(self, page: PageView) -> bool:
        if self.total_pages_path is None:
            return False
        total = JsonPath.compile(self.total_pages_path).resolve(page.document)
        return isinstance(total, int) and page.number + 1 >= total


class OffsetPagination(Paginator):
    """`?offset=N&limit=size`; stops at a short page."""

    type: Literal["offset"]
    param: str = "offset"
    size_param: str = "limit"
    size: int = Field(20, gt=0)

    def first_url(self, url: str) -> str:
        return with_query(url, {self.param: 0, self.size_param: self.size})

    def next_url(self, page: PageView) -> str | None:
        if _short(page, self.size):
            return None
        offset = (page.number + 1) * self.size
        return with_query(page.url, {self.param: offset, self.size_param: self.size})


class CursorPagination(Paginator):
    """`?cursor=<value at cursor_path in the previous body>`; stops when there is none."""

    type: Literal["cursor"]
    param: str = "cursor"
    cursor_path: PathText

    def next_url(self, page: PageView) -> str | None:
        cursor = JsonPath.compile(self.cursor_path).resolve(page.document)
        if isinstance(cursor, bool) or not isinstance(cursor, str | int) or cursor == "":
            return None
        return with_query(page.url, {self.param: cursor})


class NextLinkPagination(Paginator):
    """The next page's URL is in the body, at `path` (relative URLs allowed)."""

    type: Literal["next_link"]
    path: PathText = "links.next"

    def next_url(self, page: PageView) -> str | None:
        link = JsonPath.compile(self.path).resolve(page.document)
        return urljoin(page.url, link) if isinstance(link, str) and link.strip() else None


class LinkHeaderPagination(Paginator):
    """The next page's URL is in the `Link: <...>; rel="next"` response header (RFC 8288)."""

    type: Literal["link_header"]

    def next_url(self, page: PageView) -> str | None:
        link = next_link_from_header(page.headers.get("Link") or page.headers.get("link") or "")
        return urljoin(page.url, link) if link else None


# The discriminator is the registry: `type` picks the class, and an unknown type is an error
# that lists the valid ones.
Pagination = Annotated[
    NoPagination
    | PagePagination
    | OffsetPagination
    | CursorPagination
    | NextLinkPagination
    | LinkHeaderPagination,
    Field(discriminator="type"),
]


def next_link_from_header(header: str) -> str | None:
    """The target of the first link-value whose `rel` includes `next`."""
    for found in _LINK_RE.finditer(header):
        for rel in _REL_RE.finditer(found.group(2)):
            if "next" in (rel.group(1) or rel.group(2) or "").lower().split():
                return found.group(1).strip()
    return None


async def fetch_pages(
    client: HttpClient,
    url: str,
    pagination: Paginator,
    *,
    max_pages: int,
    decode: Callable[[bytes], Any],
    records: Callable[[Any], int],
    headers: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
) -> list[Page]:
    """The pages from `url` on, as `pagination` leads: until a page has no records (`records`
    of its `decode`d body) or no next page, a next page is one already read, or `max_pages`."""
    pages: list[Page] = []
    seen: set[str] = set()
    for number in range(max_pages):
        seen.add(url)
        response = await client.get(url, headers=headers, max_bytes=max_bytes)
        pages.append(Page(response.url, response.body, response.headers.get("Content-Type")))
        document = decode(response.body)
        count = records(document)
        view = PageView(response.url, number, document, response.headers, count)
        next_url = pagination.next_url(view) if count else None
        if next_url is None or next_url in seen:
            break
        url = next_url
    return pages


def _short(page: PageView, size: int | None) -> bool:
    """A page with fewer records than asked for is the last one."""
    return size is not None and page.records < size
