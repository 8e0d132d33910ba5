"""Pagination for the json_api adapter: one small class per `pagination.type`, chosen by name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal
from urllib.parse import urljoin

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from aggregator.adapters.json_paths import JsonPath, check_path

__all__ = [
    "CursorPagination",
    "LinkHeaderPagination",
    "NextLinkPagination",
    "NoPagination",
    "OffsetPagination",
    "PagePagination",
    "PageView",
    "Pagination",
    "QueryValue",
    "next_link_from_header",
    "with_query",
]

PathText = Annotated[str, AfterValidator(check_path)]
QueryValue = str | int | float | bool
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


class _Paginator(BaseModel):
    """A pagination strategy; its fields are the YAML options under `pagination:`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def first_url(self, url: str) -> str:
        return url

    def next_url(self, page: PageView) -> str | None:
        return None


class NoPagination(_Paginator):
    """One request."""

    type: Literal["none"] = "none"


class PagePagination(_Paginator):
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


class OffsetPagination(_Paginator):
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


class CursorPagination(_Paginator):
    """`?cursor=<value at cursor_path in the previous body>`; stops when there is none."""

    type: Literal["cursor"]
    param: str = "cursor"
    cursor_path: PathText

    def next_url(self, page: PageView) -> str | None:
        cursor = JsonPath.compile(self.cursor_path).resolve(page.document)
        if isinstance(cursor, bool) or not isinstance(cursor, str | int) or cursor == "":
            return None
        return with_query(page.url, {self.param: cursor})


class NextLinkPagination(_Paginator):
    """The next page's URL is in the body, at `path` (relative URLs allowed)."""

    type: Literal["next_link"]
    path: PathText = "links.next"

    def next_url(self, page: PageView) -> str | None:
        link = JsonPath.compile(self.path).resolve(page.document)
        return urljoin(page.url, link) if isinstance(link, str) and link.strip() else None


class LinkHeaderPagination(_Paginator):
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


def with_query(url: str, params: Mapping[str, QueryValue | list[QueryValue]]) -> str:
    """The URL with `params` set in its query string (same names replaced, lists repeated)."""
    if not params:
        return url
    return str(httpx.URL(url).copy_merge_params({k: _query_value(v) for k, v in params.items()}))


def _query_value(value: QueryValue | list[QueryValue]) -> str | list[str]:
    if isinstance(value, list):
        return [_query_scalar(item) for item in value]
    return _query_scalar(value)


def _query_scalar(value: QueryValue) -> str:
    # YAML `true` becomes `true`, as APIs expect, not Python's `True`.
    return str(value).lower() if isinstance(value, bool) else str(value)


def _short(page: PageView, size: int | None) -> bool:
    """A page with fewer records than asked for is the last one."""
    return size is not None and page.records < size
