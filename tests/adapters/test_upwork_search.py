"""Upwork's GraphQL job search against loopback servers playing the documented token endpoint
(OAuth2 client credentials) and the GraphQL API: where each credential goes, the token cache,
errors without secrets, pages and what a job becomes."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from aggregator.adapters import upwork_search
from aggregator.adapters.base import FetchResult, FetchState, option_problems
from aggregator.adapters.upwork_search import UpworkSearchAdapter
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply, Seen

CLIENT_ID = "lanternworks-app-01"
SECRET = "upw-S3cret-value-9f8e7d"
SEARCH: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "upwork_search.json").read_bytes()
)


class Upwork:
    """A token endpoint and a GraphQL API on two loopback origins, as Upwork documents them."""

    def __init__(self, token_server: LocalServer, api_server: LocalServer) -> None:
        self.token_server, self.api_server = token_server, api_server
        self.issued: list[str] = []
        self.lifetime = 86400
        self.refuse_tokens: set[str] = set()
        self.pages: dict[str | None, dict[str, Any]] = {None: SEARCH}
        self._numbers = itertools.count(1)
        token_server.route("/api/v3/oauth2/token", self._token)
        api_server.route("/graphql", self._graphql)

    def _token(self, seen: Seen) -> Reply:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        expected = {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
        }
        if seen.method != "POST" or form != expected:
            return _json({"error": "invalid_client", "error_description": "bad client"}, 401)
        token = f"oauth2v2_tok{next(self._numbers)}_{'x' * 24}"
        self.issued.append(token)
        return _json({"access_token": token, "token_type": "bearer", "expires_in": self.lifetime})

    def _graphql(self, seen: Seen) -> Reply:
        bearer = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.issued or bearer in self.refuse_tokens:
            return _json({"message": "Unauthorized"}, 401)
        request = json.loads(seen.body)
        if "marketplaceJobPostingsSearch" not in request["query"]:
            return _json({"errors": [{"message": "Cannot query field"}], "data": None})
        cursor = request["variables"]["filter"]["pagination_eq"].get("after")
        return _json(self.pages[cursor])

    def adapter(self, **options: Any) -> UpworkSearchAdapter:
        options = {
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "query": "python",
            "token_url": self.token_server.url("/api/v3/oauth2/token"),
            "api_base": self.api_server.url("").rstrip("/"),
            **options,
        }
        config = SourceConfig(name="upwork", adapter="upwork_search", options=options)
        return UpworkSearchAdapter(config)


def _json(document: object, status: int = 200) -> Reply:
    body = json.dumps(document).encode()
    return Reply(status=status, body=body, headers={"Content-Type": "application/json"})


@pytest.fixture(autouse=True)
def _no_cached_tokens() -> Iterator[None]:
    upwork_search._TOKENS.clear()
    yield
    upwork_search._TOKENS.clear()


@pytest.fixture
def upwork() -> Iterator[Upwork]:
    with LocalServer() as token_server, LocalServer() as api_server:
        yield Upwork(token_server, api_server)


def fetch(adapter: UpworkSearchAdapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0, retries=0)) as client:
            return await adapter.scoped_fetch(client, state or FetchState())

    return asyncio.run(go())


def test_the_secret_goes_to_the_token_endpoint_only_and_the_token_to_the_api_only(
    upwork: Upwork,
) -> None:
    adapter = upwork.adapter()

    (page,) = fetch(adapter).pages

    (token_request,) = upwork.token_server.seen
    (search,) = upwork.api_server.seen
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in token_request.headers
    assert SECRET.encode() in token_request.body
    assert search.headers["authorization"] == f"Bearer {upwork.issued[0]}"
    assert SECRET not in json.dumps(search.headers) + search.body.decode() + search.path
    variables = json.loads(search.body)["variables"]
    assert variables["filter"] == {"searchExpression_eq": "python", "pagination_eq": {"first": 50}}
    assert upwork.issued[0].encode() not in page.body
    titles = [p.title for p in adapter.parse(page.body, url=page.url)]
    assert titles[0] == "Python script to tidy survey spreadsheets"


def test_both_origins_are_the_sources_own(upwork: Upwork) -> None:
    adapter = upwork.adapter()
    assert {str(origin) for origin in adapter.scope().home or ()} == {
        upwork.token_server.url("").rstrip("/"),
        upwork.api_server.url("").rstrip("/"),
    }
    assert SECRET in adapter.scope().secrets


def test_the_token_is_reused_for_its_lifetime(upwork: Upwork) -> None:
    adapter = upwork.adapter()
    fetch(adapter)
    fetch(adapter)
    assert len(upwork.token_server.seen) == 1
    assert len(upwork.api_server.seen) == 2


def test_a_token_near_its_expiry_is_renewed(upwork: Upwork) -> None:
    upwork.lifetime = 30  # inside the renewal margin
    adapter = upwork.adapter()
    fetch(adapter)
    fetch(adapter)
    assert len(upwork.token_server.seen) == 2


def test_the_token_is_not_kept_on_the_adapter(upwork: Upwork) -> None:
    adapter = upwork.adapter()
    fetch(adapter)
    assert upwork.issued[0] not in repr(vars(adapter))


def test_a_token_the_api_refuses_is_replaced_once(upwork: Upwork) -> None:
    adapter = upwork.adapter()
    fetch(adapter)
    upwork.refuse_tokens.add(upwork.issued[0])  # revoked on Upwork's side

    (page,) = fetch(adapter).pages

    assert len(upwork.issued) == 2
    assert page.body


def test_an_api_that_refuses_every_token_is_a_clear_error(upwork: Upwork) -> None:
    adapter = upwork.adapter()
    upwork.api_server.route("/graphql", lambda seen: _json({"message": "Unauthorized"}, 401))
    with pytest.raises(SourceError, match="refused a fresh access token") as caught:
        fetch(adapter)
    assert len(upwork.issued) == 2
    assert all(token not in str(caught.value) for token in upwork.issued)


@pytest.mark.usefixtures("fresh_secrets")  # an earlier test's secret may be a word here
def test_a_wrong_secret_is_a_clear_error_without_the_secret(upwork: Upwork) -> None:
    wrong = "upw-Wr0ng-secret-1234"
    with pytest.raises(SourceError) as caught:
        fetch(upwork.adapter(client_secret=wrong))
    message = str(caught.value)
    assert message.startswith("upwork_search: Upwork refused the client credentials (HTTP 401)")
    assert "check client_id and client_secret" in message
    assert wrong not in message
    assert SECRET not in message
    assert upwork.api_server.seen == []


def test_graphql_errors_are_a_clear_error(upwork: Upwork) -> None:
    upwork.pages[None] = {
        "errors": [{"message": "Field 'durationLabel' is undefined"}],
        "data": None,
    }
    with pytest.raises(SourceError, match="GraphQL API answered with an error: Field 'dur"):
        fetch(upwork.adapter())


def test_a_rate_limit_is_explained(upwork: Upwork) -> None:
    upwork.api_server.route("/graphql", lambda seen: Reply(status=429))
    with pytest.raises(SourceError, match="rate limit hit"):
        fetch(upwork.adapter())


def test_pages_follow_the_end_cursor_up_to_max_pages(upwork: Upwork) -> None:
    first = json.loads(json.dumps(SEARCH))
    first["data"]["marketplaceJobPostingsSearch"]["pageInfo"] = {
        "hasNextPage": True,
        "endCursor": "NTA=",
    }
    upwork.pages = {None: first, "NTA=": first}

    assert len(fetch(upwork.adapter(max_pages=2)).pages) == 2
    afters = [
        json.loads(s.body)["variables"]["filter"]["pagination_eq"].get("after")
        for s in upwork.api_server.seen
    ]
    assert afters == [None, "NTA="]
    assert len(fetch(upwork.adapter()).pages) == 1  # one page a run by default


def test_the_token_endpoint_does_not_follow_redirects(upwork: Upwork) -> None:
    upwork.token_server.route(
        "/api/v3/oauth2/token", Reply(status=307, headers={"Location": "http://127.0.0.1:9/x"})
    )
    with pytest.raises(FetchError, match="refusing to follow a redirect of a POST") as caught:
        fetch(upwork.adapter())
    assert SECRET not in str(caught.value)


def test_option_errors_do_not_echo_the_secret() -> None:
    problems = option_problems(
        UpworkSearchAdapter, None, {"client_secret": SECRET, "query": "", "page_size": 500}
    )
    assert any(p.startswith("options.client_id: required") for p in problems)
    assert all(SECRET not in p for p in problems)


def test_jobs_become_postings_with_pay_skills_and_their_upwork_link() -> None:
    adapter = UpworkSearchAdapter(
        SourceConfig(
            name="u",
            adapter="upwork_search",
            options={"client_id": CLIENT_ID, "client_secret": SECRET, "query": "x"},
        )
    )
    hourly, fixed, unpriced = adapter.parse(json.dumps(SEARCH).encode(), url="x")
    assert hourly.url == "https://www.upwork.com/jobs/~01a2b3c4d5e6f70811"
    assert (hourly.pay_min, hourly.pay_max, hourly.currency, hourly.pay_period) == (
        25.0,
        40.0,
        "USD",
        "hour",
    )
    assert hourly.employment_type == "contract"
    assert hourly.tags == ("Python", "pandas", "Data Science & Analytics")
    assert hourly.description_html is not None
    assert "merges weekly survey exports" in hourly.description_html
    assert hourly.duration_text == "Less than 1 month"
    assert hourly.remote is True
    assert (fixed.pay_min, fixed.pay_max, fixed.pay_period, fixed.employment_type) == (
        150.0,
        150.0,
        "project",
        "gig",
    )
    assert (unpriced.pay_min, unpriced.pay_period, unpriced.employment_type) == (None, None, None)
