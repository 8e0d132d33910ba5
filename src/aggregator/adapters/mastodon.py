"""Mastodon hashtag timelines (`/api/v1/timelines/tag/<tag>`), anonymous, paged by `Link`."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urlsplit

from pydantic import Field, field_validator

from aggregator.adapters._json import (
    expect_list,
    expect_object,
    load_json,
    text,
    texts,
)
from aggregator.adapters._posts import first_line, first_line_of_html, same_origin
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState, Page
from aggregator.adapters.json_pagination import next_link_from_header
from aggregator.dates import from_iso
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["MastodonTagAdapter"]

NAME = "mastodon_tag"
PAGE_SIZE = 40  # the most a timeline page gives
_HOST_RE = re.compile(r"^[a-z0-9.-]+(?::\d+)?$", re.IGNORECASE)
_TAG_RE = re.compile(r"^\w+$")


def _tag_name(value: str) -> str:
    tag = value.strip().removeprefix("#")
    if not _TAG_RE.match(tag):
        raise ValueError(f"expected a hashtag of letters, digits and _, got {value!r}")
    return tag


class MastodonTagOptions(AdapterOptions):
    instance: str = Field(description="host name or https:// URL of the instance")
    tag: str = Field(description="the hashtag, without #")
    any: list[str] = Field(default_factory=list, description="or any of these tags")
    all: list[str] = Field(default_factory=list, description="and all of these tags")
    none: list[str] = Field(default_factory=list, description="and none of these tags")
    max_pages: int = Field(3, ge=1, le=20)
    local: bool = Field(False, description="only posts made on this instance")

    @field_validator("instance")
    @classmethod
    def _instance_url(cls, value: str) -> str:
        """`mastodon.social` or `https://mastodon.social/` both become `https://mastodon.social`."""
        text = value.strip().rstrip("/")
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if parts.scheme not in ("http", "https") or not _HOST_RE.match(parts.netloc):
            raise ValueError(f"expected a host name such as mastodon.social, got {value!r}")
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @field_validator("tag")
    @classmethod
    def _one_tag(cls, value: str) -> str:
        return _tag_name(value)

    @field_validator("any", "all", "none")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        return [_tag_name(value) for value in values]


class MastodonTagAdapter(Adapter[MastodonTagOptions]):
    """Public posts with a hashtag on one instance; each post is a posting."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = MastodonTagOptions
    needs_url: ClassVar[bool] = False
    origin: ClassVar[str] = "social"

    def home_urls(self) -> tuple[str, ...]:
        return (self.options.instance,)

    def first_page_url(self) -> str:
        options = self.options
        query: list[tuple[str, str]] = [("limit", str(PAGE_SIZE))]
        if options.local:
            query.append(("local", "true"))
        for key in ("any", "all", "none"):
            query += [(f"{key}[]", tag) for tag in getattr(options, key)]
        path = f"/api/v1/timelines/tag/{quote(options.tag, safe='')}"
        return f"{options.instance}{path}?{urlencode(query)}"

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        pages: list[Page] = []
        url: str | None = self.first_page_url()
        while url is not None and len(pages) < self.options.max_pages:
            try:
                response = await client.get(url, headers={"Accept": "application/json"})
            except FetchError as exc:
                raise _explained(exc, self.options.instance) from None
            pages.append(Page(response.url, response.body, response.headers.get("Content-Type")))
            url = next_link_from_header(response.headers.get("Link") or "")
            # The instance chooses the next URL: it must stay on the instance.
            if url is not None and not same_origin(url, self.options.instance):
                url = None
        return FetchResult.of_pages(pages, state)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        document = load_json(body, adapter=NAME)
        statuses = expect_list(document, adapter=NAME, path="the top level")
        checked = [_original(status, f"[{i}]") for i, status in enumerate(statuses)]
        return [_posting(status, path) for status, path in checked]


def _explained(exc: FetchError, instance: str) -> SourceError:
    host = urlsplit(instance).netloc
    if exc.status in (401, 422):
        return SourceError(
            f"{NAME}: {host} does not show hashtag timelines to anonymous readers "
            f"(HTTP {exc.status}); choose another instance"
        )
    if exc.status == 404:
        return SourceError(f"{NAME}: {host} has no hashtag timeline API (HTTP 404): not Mastodon?")
    if exc.status == 429:
        return SourceError(f"{NAME}: {host} rate limit hit (300 requests per 5 minutes per IP)")
    return exc


def _original(status: object, path: str) -> tuple[Mapping[str, Any], str]:
    """The status itself, or the post it boosts (the boost's author is not the poster)."""
    checked = expect_object(status, adapter=NAME, path=path)
    if checked.get("reblog") is not None:
        path = f"{path}.reblog"
        checked = expect_object(checked["reblog"], adapter=NAME, path=path)
    expect_object(checked.get("account"), adapter=NAME, path=f"{path}.account")
    return checked, path


def _posting(status: Mapping[str, Any], path: str) -> RawPosting:
    content = text(status.get("content")) or ""
    spoiler = text(status.get("spoiler_text")) or ""
    # A content warning is kept: on job posts it is usually a summary ("Job: paid gig").
    description = f"<p>{html.escape(spoiler)}</p>{content}" if spoiler else content
    account: Mapping[str, Any] = status["account"]
    return RawPosting(
        title=first_line_of_html(content) or first_line(spoiler),
        guid=text(status.get("uri")),
        url=text(status.get("url")) or text(status.get("uri")),
        # The poster is usually the employer or a recruiter for it.
        company=text(account.get("display_name")) or text(account.get("acct")),
        description_html=description or None,
        tags=_tags(status.get("tags"), path),
        posted_at=from_iso(status.get("created_at")),
        extra={"account": text(account.get("acct")), "account_url": text(account.get("url"))},
    )


def _tags(tags: object, path: str) -> tuple[str, ...]:
    if tags is None:
        return ()
    return texts(expect_list(tags, adapter=NAME, path=f"{path}.tags"), key="name")
