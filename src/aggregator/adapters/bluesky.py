"""Bluesky post search (`app.bsky.feed.searchPosts`) after an app-password login."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar
from urllib.parse import urlencode

from pydantic import AfterValidator, Field, SecretStr

from aggregator.adapters._json import (
    expect_list,
    expect_object,
    http_base_url,
    load_json,
    require_text,
    text,
    texts,
)
from aggregator.adapters._posts import first_line, text_to_html
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState
from aggregator.adapters.json_pagination import CursorPagination, fetch_pages
from aggregator.dates import from_iso
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["BlueskySearchAdapter", "next_cursor"]

NAME = "bluesky_search"
PAGE_SIZE = 100  # the most searchPosts gives
POST_URL = "https://bsky.app/profile/{profile}/post/{rkey}"
INVALID_HANDLE = "handle.invalid"
TAG_FACET = "app.bsky.richtext.facet#tag"
# After the last page there is no cursor (or no posts, which `fetch_pages` stops at).
PAGES = CursorPagination(type="cursor", param="cursor", cursor_path="cursor")


class BlueskySearchOptions(AdapterOptions):
    handle: str = Field(description="the account to log in with, e.g. alice.bsky.social")
    app_password: SecretStr = Field(description="an app password (Settings > App passwords)")
    query: str = Field(min_length=1, description="search terms, e.g. #microinternship")
    service: Annotated[str, AfterValidator(http_base_url)] = "https://bsky.social"
    max_pages: int = Field(3, ge=1, le=20)


class BlueskySearchAdapter(Adapter[BlueskySearchOptions]):
    """Posts matching a search, newest first; each post is a posting."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = BlueskySearchOptions
    needs_url: ClassVar[bool] = False
    origin: ClassVar[str] = "social"

    def home_urls(self) -> tuple[str, ...]:
        return (self.options.service,)

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        token = await self._log_in(client)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            pages = await fetch_pages(
                client,
                self._search_url(),
                PAGES,
                max_pages=self.options.max_pages,
                decode=_top_level,
                records=lambda document: 1 if document.get("posts") else 0,
                headers=headers,
            )
        except FetchError as exc:
            raise _explained(exc, "search") from None
        return FetchResult.of_pages(pages, state)

    async def _log_in(self, client: HttpClient) -> str:
        """A session token for this run; the app password goes in the body, never in a URL."""
        handle = self.options.handle
        password = self.options.app_password.get_secret_value()
        url = f"{self.options.service}/xrpc/com.atproto.server.createSession"
        try:
            response = await client.post_json(url, {"identifier": handle, "password": password})
        except FetchError as exc:
            if exc.status in (400, 401):
                raise SourceError(
                    f"{NAME}: Bluesky login failed for handle {handle!r} (HTTP {exc.status}): "
                    "check the handle and the app password"
                ) from None
            raise _explained(exc, "login") from None
        session = expect_object(
            load_json(response.body, adapter=NAME), adapter=NAME, path="the session"
        )
        return require_text(session, "accessJwt", adapter=NAME, path="the session")

    def _search_url(self) -> str:
        query = {"q": self.options.query, "limit": PAGE_SIZE, "sort": "latest"}
        return f"{self.options.service}/xrpc/app.bsky.feed.searchPosts?{urlencode(query)}"

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        return [_posting(post, path) for post, path in _checked_posts(body)]


def next_cursor(body: bytes) -> str | None:
    """The cursor of the next page; None after the last page (no cursor or no posts)."""
    document = _top_level(body)
    cursor = document.get("cursor")
    has_posts = bool(document.get("posts"))
    return cursor if isinstance(cursor, str) and cursor and has_posts else None


def _top_level(body: bytes) -> Mapping[str, Any]:
    return expect_object(load_json(body, adapter=NAME), adapter=NAME, path="the top level")


def _explained(exc: FetchError, step: str) -> SourceError:
    if exc.status == 429:
        return SourceError(f"{NAME}: Bluesky rate limit hit during {step}; try again later")
    if exc.status == 401:
        return SourceError(f"{NAME}: Bluesky refused the session token during {step} (HTTP 401)")
    return exc


def _checked_posts(body: bytes) -> list[tuple[Mapping[str, Any], str]]:
    """Every post with its path, each checked for the parts a posting needs before any is used."""
    document = expect_object(load_json(body, adapter=NAME), adapter=NAME, path="the top level")
    checked = []
    for index, item in enumerate(expect_list(document.get("posts"), adapter=NAME, path="posts")):
        path = f"posts[{index}]"
        post = expect_object(item, adapter=NAME, path=path)
        require_text(post, "uri", adapter=NAME, path=path)
        author = expect_object(post.get("author"), adapter=NAME, path=f"{path}.author")
        require_text(author, "handle", adapter=NAME, path=f"{path}.author")
        expect_object(post.get("record"), adapter=NAME, path=f"{path}.record")
        checked.append((post, path))
    return checked


def _posting(post: Mapping[str, Any], path: str) -> RawPosting:
    author: Mapping[str, Any] = post["author"]
    record: Mapping[str, Any] = post["record"]
    handle = str(author["handle"])
    body = text(record.get("text")) or ""
    rkey = str(post["uri"]).rstrip("/").rsplit("/", 1)[-1]
    # An account whose handle no longer resolves shows as `handle.invalid`: link by its DID.
    profile = text(author.get("did")) if handle == INVALID_HANDLE else handle
    return RawPosting(
        title=first_line(body),
        guid=str(post["uri"]),
        url=POST_URL.format(profile=profile or handle, rkey=rkey),
        company=text(author.get("displayName")) or handle,
        description_html=text_to_html(body) or None,
        # Hashtags written in the text are also found by normalization; facets and the
        # record's `tags` list hold the ones the client tagged explicitly.
        tags=_tags(record, path),
        posted_at=from_iso(record.get("createdAt")) or from_iso(post.get("indexedAt")),
        extra={"author_handle": handle, "author_did": text(author.get("did"))},
    )


def _tags(record: Mapping[str, Any], path: str) -> tuple[str, ...]:
    found = list(texts(record.get("tags")))
    facets = record.get("facets") or []
    for facet in expect_list(facets, adapter=NAME, path=f"{path}.record.facets"):
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else ():
            if isinstance(feature, dict) and feature.get("$type") == TAG_FACET:
                found += texts([feature.get("tag")])
    return tuple(dict.fromkeys(found))
