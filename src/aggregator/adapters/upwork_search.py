"""Upwork's GraphQL job search (`marketplaceJobPostingsSearch`) with an OAuth2 client-credentials
key: the key's secret goes to the token endpoint only, the token to the API only."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Final

from pydantic import AfterValidator, Field, SecretStr

from aggregator.adapters._json import (
    ACCEPT_JSON,
    expect_list,
    expect_object,
    http_base_url,
    load_json,
    require_text,
    text,
)
from aggregator.adapters._posts import text_to_html
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState, Page
from aggregator.dates import from_iso
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["JOB_URL", "SEARCH_QUERY", "UpworkSearchAdapter", "UpworkSearchOptions"]

NAME = "upwork_search"
TOKEN_URL: Final = "https://www.upwork.com/api/v3/oauth2/token"
API_BASE: Final = "https://api.upwork.com"
JOB_URL: Final = "https://www.upwork.com/jobs/~{ciphertext}"
# A token is renewed this long before Upwork says it expires (clocks, a slow request).
_EXPIRY_MARGIN: Final = 60.0
_DEFAULT_LIFETIME: Final = 3600.0
SEARCH_QUERY: Final = """
query jobSearch(
  $filter: MarketplaceJobPostingsSearchFilter
  $sort: [MarketplaceJobPostingSearchSortAttribute]
) {
  marketplaceJobPostingsSearch(
    marketPlaceJobFilter: $filter
    searchType: USER_JOBS_SEARCH
    sortAttributes: $sort
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id ciphertext title description createdDateTime publishedDateTime
        amount { rawValue currency }
        hourlyBudgetMin { rawValue currency }
        hourlyBudgetMax { rawValue currency }
        experienceLevel durationLabel engagement category
        skills { name prettyName }
      }
    }
  }
}
""".strip()
_STATUS_HINTS: Final = {
    403: "Upwork refused the search (HTTP 403): the key may lack the job-postings scope",
    429: "Upwork rate limit hit (HTTP 429); the next run tries again",
}


class UpworkSearchOptions(AdapterOptions):
    client_id: str = Field(min_length=1, description="the API key's client id (${ENV})")
    client_secret: SecretStr = Field(description="the API key's client secret (${ENV})")
    query: str = Field(min_length=1, max_length=500, description="search words, e.g. python")
    page_size: int = Field(50, ge=1, le=100)
    max_pages: int = Field(1, ge=1, le=10)
    api_base: Annotated[str, AfterValidator(http_base_url)] = API_BASE
    token_url: Annotated[str, AfterValidator(http_base_url)] = TOKEN_URL


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    expires: float  # time.monotonic()


# Tokens live in this process's memory only, for their lifetime: never on the adapter (which is
# pickled to parse workers), never logged or stored. Keyed by a digest of the credentials.
_TOKENS: dict[str, _Token] = {}


class UpworkSearchAdapter(Adapter[UpworkSearchOptions]):
    """Upwork job postings matching a search, newest first; each job is a posting."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = UpworkSearchOptions
    needs_url: ClassVar[bool] = False
    origin: ClassVar[str] = "board"

    def home_urls(self) -> tuple[str, ...]:
        return (self.options.token_url, self.options.api_base)

    @property
    def url(self) -> str:
        return f"{self.options.api_base}/graphql"

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        pages: list[Page] = []
        cursor: str | None = None
        for _ in range(self.options.max_pages):
            body = await self._search(client, cursor)
            pages.append(Page(self.url, body, "application/json"))
            info = _connection(body).get("pageInfo")
            page_info: Mapping[str, Any] = info if isinstance(info, dict) else {}
            cursor = text(page_info.get("endCursor"))
            if page_info.get("hasNextPage") is not True or cursor is None:
                break
        return FetchResult.of_pages(pages, state)

    async def _search(self, client: HttpClient, cursor: str | None) -> bytes:
        """One page of the search; a token the API refuses is replaced once."""
        pagination: dict[str, Any] = {"first": self.options.page_size}
        if cursor:
            pagination["after"] = cursor
        search = {
            "query": SEARCH_QUERY,
            "variables": {
                "filter": {"searchExpression_eq": self.options.query, "pagination_eq": pagination},
                "sort": [{"field": "RECENCY"}],
            },
        }
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {await self._token(client)}",
                "Accept": ACCEPT_JSON,
            }
            try:
                return (await client.post_json(self.url, search, headers=headers)).body
            except FetchError as exc:
                if exc.status == 401 and attempt == 1:
                    _TOKENS.pop(self._cache_key(), None)
                    continue
                raise self._explained(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _token(self, client: HttpClient) -> str:
        key = self._cache_key()
        cached = _TOKENS.get(key)
        if cached is not None and cached.expires > time.monotonic():
            return cached.value
        form = {
            "grant_type": "client_credentials",
            "client_id": self.options.client_id,
            "client_secret": self.options.client_secret.get_secret_value(),
        }
        try:
            response = await client.post_form(
                self.options.token_url, form, headers={"Accept": ACCEPT_JSON}
            )
        except FetchError as exc:
            if exc.status in (400, 401, 403):
                raise SourceError(
                    f"{NAME}: Upwork refused the client credentials (HTTP {exc.status}): check "
                    "client_id and client_secret (a key of the client-credentials grant type)"
                ) from None
            raise
        document = expect_object(
            load_json(response.body, adapter=NAME), adapter=NAME, path="the token response"
        )
        value = require_text(document, "access_token", adapter=NAME, path="the token response")
        lifetime = document.get("expires_in")
        seconds = float(lifetime) if isinstance(lifetime, int | float) else _DEFAULT_LIFETIME
        _TOKENS[key] = _Token(value, time.monotonic() + seconds - _EXPIRY_MARGIN)
        return value

    def _cache_key(self) -> str:
        options = self.options
        secret = options.client_secret.get_secret_value()
        return hashlib.sha256(
            f"{options.token_url}\0{options.client_id}\0{secret}".encode()
        ).hexdigest()

    def _explained(self, exc: FetchError) -> FetchError | SourceError:
        if exc.status == 401:
            return SourceError(
                f"{NAME}: Upwork refused a fresh access token (HTTP 401): the key may be "
                "suspended or lack API access"
            )
        hint = _STATUS_HINTS.get(exc.status or 0)
        return SourceError(f"{NAME}: {hint}") if hint else exc

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        connection = _connection(body)
        edges = expect_list(connection.get("edges", []), adapter=NAME, path=f"{_PATH}.edges")
        postings = []
        for index, edge in enumerate(edges):
            path = f"{_PATH}.edges[{index}]"
            node = expect_object(
                expect_object(edge, adapter=NAME, path=path).get("node"),
                adapter=NAME,
                path=f"{path}.node",
            )
            postings.append(_posting(node, f"{path}.node"))
        return postings


_PATH = "data.marketplaceJobPostingsSearch"


def _connection(body: bytes) -> Mapping[str, Any]:
    """The search's connection; GraphQL errors (HTTP 200 with `errors`) are a clear error."""
    document = expect_object(load_json(body, adapter=NAME), adapter=NAME, path="$")
    data = document.get("data")
    found = data.get("marketplaceJobPostingsSearch") if isinstance(data, dict) else None
    errors = document.get("errors")
    if found is None and isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        message = text(first.get("message")) or "no message"
        raise SourceError(f"{NAME}: Upwork's GraphQL API answered with an error: {message[:300]}")
    return expect_object(found, adapter=NAME, path=_PATH)


def _posting(node: Mapping[str, Any], path: str) -> RawPosting:
    cipher = text(node.get("ciphertext"))
    hourly = (_money(node.get("hourlyBudgetMin")), _money(node.get("hourlyBudgetMax")))
    fixed = _money(node.get("amount"))
    is_hourly = any(amount for amount, _ in hourly)
    low, high = hourly if is_hourly else ((fixed[0], fixed[1]), (fixed[0], fixed[1]))
    skills = node.get("skills")
    names = [
        text(skill.get("prettyName")) or text(skill.get("name"))
        for skill in (skills if isinstance(skills, list) else [])
        if isinstance(skill, dict)
    ]
    description = text(node.get("description"))
    return RawPosting(
        title=require_text(node, "title", adapter=NAME, path=path).strip(),
        guid=text(node.get("id")) or cipher,
        url=JOB_URL.format(ciphertext=cipher.lstrip("~")) if cipher else None,
        description_html=text_to_html(description) if description else None,
        tags=tuple(dict.fromkeys(name for name in [*names, text(node.get("category"))] if name)),
        posted_at=from_iso(node.get("publishedDateTime")) or from_iso(node.get("createdDateTime")),
        remote=True,  # Upwork work is done remotely
        employment_type="contract" if is_hourly else "gig" if fixed[0] else None,
        pay_min=low[0] or None,
        pay_max=high[0] or None,
        currency=low[1] or high[1],
        pay_period="hour" if is_hourly else "project" if fixed[0] else None,
        duration_text=text(node.get("durationLabel")),
        extra={
            "ciphertext": cipher,
            "experience_level": text(node.get("experienceLevel")),
            "engagement": text(node.get("engagement")),
            "created_at": text(node.get("createdDateTime")),
        },
    )


def _money(value: object) -> tuple[float | None, str | None]:
    """`{rawValue: "25.0", currency: "USD"}` as (25.0, "USD"); zero means not given."""
    if not isinstance(value, dict):
        return None, None
    raw, currency = value.get("rawValue"), text(value.get("currency"))
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None, currency
    try:
        amount = float(raw)
    except ValueError:
        return None, currency
    return (amount if 0 < amount < math.inf else None), currency
