"""X (Twitter) API v2 recent search (`/2/tweets/search/recent`) with an app bearer token."""

from __future__ import annotations

import html
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

__all__ = ["XRecentSearchAdapter"]

NAME = "x_recent_search"
PAGE_SIZE = 100  # the most recent search gives
TWEET_URL = "https://x.com/{username}/status/{id}"
ANY_USER_TWEET_URL = "https://x.com/i/web/status/{id}"  # works without the author's name
_FIELDS = {
    "tweet.fields": "created_at,entities,author_id",
    "expansions": "author_id",
    "user.fields": "username,name",
}
PAGES = CursorPagination(type="cursor", param="next_token", cursor_path="meta.next_token")
_STATUS_HINTS = {
    400: "X rejected the query (HTTP 400): check the search syntax",
    401: "X rejected the bearer token (HTTP 401): check bearer_token",
    403: (
        "X refused the search (HTTP 403): the app's access level may not include recent "
        "search, or the app is not attached to a project"
    ),
    429: (
        "X rate limit hit (HTTP 429): the monthly post cap or the 15-minute request window "
        "is used up; the next run tries again"
    ),
}


class XRecentSearchOptions(AdapterOptions):
    bearer_token: SecretStr = Field(description="the app's bearer token (developer portal)")
    query: str = Field(
        min_length=1, max_length=512, description="e.g. #microinternship -is:retweet"
    )
    api_base: Annotated[str, AfterValidator(http_base_url)] = "https://api.twitter.com/2"
    # The free and basic tiers allow very few posts a month: one page a run by default.
    max_pages: int = Field(1, ge=1, le=10)


class XRecentSearchAdapter(Adapter[XRecentSearchOptions]):
    """Posts of the last 7 days matching a query, newest first; each post is a posting."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = XRecentSearchOptions
    needs_url: ClassVar[bool] = False
    origin: ClassVar[str] = "social"

    def home_urls(self) -> tuple[str, ...]:
        return (self.options.api_base,)

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        token = self.options.bearer_token.get_secret_value()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            pages = await fetch_pages(
                client,
                self._search_url(),
                PAGES,
                max_pages=self.options.max_pages,
                decode=_top_level,
                records=lambda _document: 1,  # the token alone says whether more follow
                headers=headers,
            )
        except FetchError as exc:
            hint = _STATUS_HINTS.get(exc.status or 0)
            raise (SourceError(f"{NAME}: {hint}") if hint else exc) from None
        return FetchResult.of_pages(pages, state)

    def _search_url(self) -> str:
        query = {"query": self.options.query, "max_results": str(PAGE_SIZE), **_FIELDS}
        return f"{self.options.api_base}/tweets/search/recent?{urlencode(query)}"

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        document = _top_level(body)
        tweets = _checked_tweets(document)
        users = _users_by_id(document)
        return [_posting(tweet, users.get(str(tweet.get("author_id")))) for tweet in tweets]


def _top_level(body: bytes) -> Mapping[str, Any]:
    return expect_object(load_json(body, adapter=NAME), adapter=NAME, path="the top level")


def _checked_tweets(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    # No `data` at all is how X says "no results" (meta.result_count is 0).
    data = expect_list(document.get("data", []), adapter=NAME, path="data")
    checked = []
    for index, item in enumerate(data):
        path = f"data[{index}]"
        tweet = expect_object(item, adapter=NAME, path=path)
        require_text(tweet, "id", adapter=NAME, path=path)
        require_text(tweet, "text", adapter=NAME, path=path)
        checked.append(tweet)
    return checked


def _users_by_id(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    includes = document.get("includes") or {}
    found = expect_object(includes, adapter=NAME, path="includes").get("users") or []
    users = expect_list(found, adapter=NAME, path="includes.users")
    return {str(user["id"]): user for user in users if isinstance(user, dict) and "id" in user}


def _posting(tweet: Mapping[str, Any], user: Mapping[str, Any] | None) -> RawPosting:
    tweet_id = str(tweet["id"])
    found = tweet.get("entities")
    entities: Mapping[str, Any] = found if isinstance(found, dict) else {}
    # X escapes &, < and > in `text`; t.co links stand in for the real ones.
    body = _expanded_links(html.unescape(str(tweet["text"])), entities)
    username = text((user or {}).get("username"))
    url = TWEET_URL.format(username=username, id=tweet_id) if username else None
    return RawPosting(
        title=first_line(body),
        guid=f"x:{tweet_id}",
        url=url or ANY_USER_TWEET_URL.format(id=tweet_id),
        company=text((user or {}).get("name")) or username,
        description_html=text_to_html(body) or None,
        tags=texts(entities.get("hashtags"), key="tag"),
        posted_at=from_iso(tweet.get("created_at")),
        extra={"author_id": text(tweet.get("author_id")), "username": username},
    )


def _expanded_links(body: str, entities: Mapping[str, Any]) -> str:
    for link in entities.get("urls") or ():
        if isinstance(link, dict) and (short := text(link.get("url"))):
            body = body.replace(short, text(link.get("expanded_url")) or short)
    return body
