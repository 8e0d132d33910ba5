"""We Work Remotely: its RSS feeds, with "Company: Role" titles split and its job elements read."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from typing import Any, ClassVar

import feedparser
from pydantic import Field

from aggregator.adapters.base import AdapterOptions
from aggregator.adapters.rss import FeedAdapter, parse_feed
from aggregator.models import RawPosting

__all__ = ["FEED_ROOT", "WeWorkRemotelyAdapter", "split_company"]

FEED_ROOT = "https://weworkremotely.com"


class WeWorkRemotelyOptions(AdapterOptions):
    category: str | None = Field(
        None,
        pattern=r"^[a-z0-9-]+$",
        description="a category feed's slug, e.g. remote-programming-jobs (default: all jobs)",
    )


class WeWorkRemotelyAdapter(FeedAdapter[WeWorkRemotelyOptions]):
    """The all-jobs feed, or one category's feed; every listing on the board is remote."""

    name: ClassVar[str] = "weworkremotely"
    Options: ClassVar[type[AdapterOptions]] = WeWorkRemotelyOptions
    needs_url: ClassVar[bool] = False

    @property
    def url(self) -> str:
        if self.source.url:
            return self.source.url
        category = self.options.category
        if category:
            return f"{FEED_ROOT}/categories/{category}.rss"
        return f"{FEED_ROOT}/remote-jobs.rss"

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        postings = parse_feed(body, url=url)
        items = _items_by_key(body)
        return [_board_posting(p, items.get(p.guid or p.url or "", {})) for p in postings]


def split_company(title: str) -> tuple[str | None, str]:
    """`Company: Role` -> (company, role), split at the first ": " only."""
    company, separator, role = title.partition(": ")
    if not separator or not company.strip() or not role.strip():
        return None, title
    return company.strip(), role.strip()


def _board_posting(posting: RawPosting, item: Mapping[str, Any]) -> RawPosting:
    company, title = split_company(posting.title)
    return dataclasses.replace(
        posting,
        title=title,
        company=company or posting.company,
        remote=True,
        employment_type=_text(item.get("type")),
        deadline=_text(item.get("expires_at")),  # the listing closes then
    )


def _items_by_key(body: bytes) -> dict[str, Mapping[str, Any]]:
    """The board's own item elements (`<type>`, `<expires_at>`) by guid, else by link.

    `parse_feed` keeps only the fields every feed has, so this reads the body a second time
    (a feed is ~100 items). A stream, as in rss.py: feedparser opens a bytes value naming a file.
    """
    entries = feedparser.parse(io.BytesIO(body)).get("entries") or []
    items: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        key = str(entry.get("id") or entry.get("link") or "").strip()
        if key:
            items.setdefault(key, entry)
    return items


def _text(value: object) -> str | None:
    return (value.strip()[:256] or None) if isinstance(value, str) else None
