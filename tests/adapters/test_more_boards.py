"""USAJOBS, Adzuna and the ATS boards on json_api: URLs, credentials, pages and errors."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from aggregator.adapters.adzuna import employment_type
from aggregator.adapters.base import Adapter, FetchResult, FetchState
from aggregator.adapters.catalogue import check_source, resolve
from aggregator.adapters.usajobs import pay_period
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from aggregator.normalize.postings import normalize_all
from tests.support.http_server import LocalServer, Reply, Seen

API_KEY = "k3y-s3cret"


def board(name: str, options: dict[str, Any], url: str | None = None) -> Adapter:
    resolved = resolve(SourceConfig(name="t", adapter=name, url=url, options=options))
    return resolved.adapter(resolved.config)


def fetch(adapter: Adapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            return await adapter.fetch(client, state or FetchState())

    return asyncio.run(go())


def parse(adapter: Adapter, document: object) -> list[RawPosting]:
    return adapter.parse(json.dumps(document).encode(), url="https://board.example/api")


def query(seen: Seen) -> dict[str, list[str]]:
    return parse_qs(urlsplit(seen.path).query)


def json_reply(document: object, status: int = 200) -> Reply:
    body = json.dumps(document).encode()
    return Reply(status=status, body=body, headers={"Content-Type": "application/json"})


# ATS boards: the board token fills the URL


@pytest.mark.parametrize(
    ("name", "token", "expected"),
    [
        ("ashby", "lanternworks", "https://api.ashbyhq.com/posting-api/job-board/lanternworks"),
        (
            "smartrecruiters",
            "Lanternworks.Studio",
            "https://api.smartrecruiters.com/v1/companies/Lanternworks.Studio/postings",
        ),
        (
            "workable",
            "lantern-works",
            "https://apply.workable.com/api/v1/widget/accounts/lantern-works",
        ),
        ("recruitee", "lanternworks", "https://lanternworks.recruitee.com/api/offers/"),
    ],
)
def test_each_ats_board_builds_its_url_from_the_board_token(
    name: str, token: str, expected: str
) -> None:
    assert board(name, {"board": token}).url == expected


@pytest.mark.parametrize("token", ["acme/../admin", "acme labs", "acme?x=1", "acme#top", ""])
def test_a_board_token_that_could_change_the_url_is_a_config_error(token: str) -> None:
    [problem] = check_source({"adapter": "ashby", "options": {"board": token}})

    assert problem.startswith("options.board: String should match pattern")


def test_an_ats_board_without_a_token_says_the_option_is_required() -> None:
    assert check_source({"adapter": "ashby"}) == [
        "options.board: required by the json_api_templated adapter"
    ]


def test_a_url_without_the_board_placeholder_is_an_adapter_error() -> None:
    adapter = board("ashby", {"board": "acme"}, url="https://api.ashbyhq.com/job-board/acme")

    with pytest.raises(SourceError, match=r"needs a \{board\} placeholder"):
        _ = adapter.url


@pytest.mark.parametrize(
    ("name", "path", "expected_query"),
    [
        ("ashby", "/posting-api/job-board/{board}", {"includeCompensation": ["true"]}),
        ("workable", "/api/v1/widget/accounts/{board}", {"details": ["true"]}),
        ("recruitee", "/{board}/api/offers/", {}),
    ],
)
def test_an_ats_board_asks_the_templated_url_with_the_catalogue_params(
    server: LocalServer, name: str, path: str, expected_query: dict[str, list[str]]
) -> None:
    server.route(path.replace("{board}", "acme-labs"), json_reply({"jobs": [], "offers": []}))

    fetch(board(name, {"board": "acme-labs"}, url=server.url(path)))

    [seen] = server.seen
    assert urlsplit(seen.path).path == path.replace("{board}", "acme-labs")
    assert query(seen) == expected_query


def test_an_unknown_board_is_an_error_naming_the_board_and_the_adapter(
    server: LocalServer,
) -> None:
    server.route("/posting-api/job-board/real", json_reply({"jobs": []}))
    url = server.url("/posting-api/job-board/{board}")

    with pytest.raises(FetchError) as caught:
        fetch(board("ashby", {"board": "nope"}, url=url))

    assert caught.value.status == 404
    message = str(caught.value)
    assert message.startswith("ashby (json_api_templated): there is no board 'nope'")
    assert "HTTP 404" in message


def test_smartrecruiters_pages_by_offset_until_a_short_page(server: LocalServer) -> None:
    def postings(seen: Seen) -> Reply:
        offset = int(query(seen)["offset"][0])
        count = 100 if offset == 0 else 1
        content = [{"id": str(offset + n), "name": f"Role {offset + n}"} for n in range(count)]
        return json_reply({"offset": offset, "limit": 100, "totalFound": 101, "content": content})

    server.route("/v1/companies/acme/postings", postings)
    adapter = board(
        "smartrecruiters", {"board": "acme"}, url=server.url("/v1/companies/{board}/postings")
    )

    result = fetch(adapter)

    assert [(query(s)["offset"], query(s)["limit"]) for s in server.seen] == [
        (["0"], ["100"]),
        (["100"], ["100"]),
    ]
    titles = [p.title for page in result.pages for p in adapter.parse(page.body, url=page.url)]
    assert len(titles) == 101
    assert titles[-1] == "Role 100"


def test_the_company_comes_from_the_option_the_record_the_document_or_the_token() -> None:
    document = {"name": "Lanternworks Athens", "jobs": [{"title": "Intern", "shortcode": "A1"}]}
    ashby_jobs = {"jobs": [{"title": "Intern", "id": "x"}]}

    [from_document] = parse(board("workable", {"board": "lanternworks"}), document)
    [from_option] = parse(board("workable", {"board": "lw", "company": "LW Ltd"}), document)
    [from_token] = parse(board("ashby", {"board": "acme-labs"}), ashby_jobs)

    assert from_document.company == "Lanternworks Athens"
    assert from_option.company == "LW Ltd"
    assert from_token.company == "Acme Labs"


def test_recruitee_dates_written_with_a_utc_suffix_are_read_as_utc() -> None:
    offer = {"title": "Intern", "published_at": "2026-11-20 08:30:00 UTC", "close_at": "soon"}

    [posting] = parse(board("recruitee", {"board": "acme"}), {"offers": [offer]})

    assert posting.posted_at is not None
    assert posting.posted_at.isoformat() == "2026-11-20T08:30:00+00:00"
    assert posting.deadline == "soon"  # not a UTC-suffixed date: left for normalization


def test_an_ats_payload_of_the_wrong_shape_names_the_board_and_what_was_expected() -> None:
    adapter = board("ashby", {"board": "acme"})

    with pytest.raises(SourceError, match=r"^ashby \(json_api_templated\): expected a list"):
        parse(adapter, {"jobs": {"title": "not a list"}})


# USAJOBS: the key and the e-mail as headers, pages by number


def usajobs(url: str, **options: Any) -> Adapter:
    credentials = {"api_key": API_KEY, "email": "me@example.org"}
    return board("usajobs", {**credentials, **options}, url=url)


def usajobs_page(*titles: str) -> dict[str, Any]:
    items = [{"MatchedObjectDescriptor": {"PositionTitle": t}} for t in titles]
    return {"SearchResult": {"SearchResultItems": items, "UserArea": {"NumberOfPages": "2"}}}


def test_usajobs_sends_the_key_and_the_email_and_pages_by_number(server: LocalServer) -> None:
    pages = {"1": usajobs_page(*(f"Job {n}" for n in range(2))), "2": usajobs_page("Job 2")}
    server.route("/api/search", lambda seen: json_reply(pages[query(seen)["Page"][0]]))
    pagination = {"size": 2}

    result = fetch(
        usajobs(server.url("/api/search"), params={"Keyword": "intern"}, pagination=pagination)
    )

    assert [query(s) for s in server.seen] == [
        {"Keyword": ["intern"], "Page": ["1"], "ResultsPerPage": ["2"]},
        {"Keyword": ["intern"], "Page": ["2"], "ResultsPerPage": ["2"]},
    ]
    for seen in server.seen:
        assert seen.headers["authorization-key"] == API_KEY
        assert seen.headers["user-agent"] == "me@example.org"
    assert len(result.pages) == 2


def test_usajobs_says_when_the_key_is_rejected_without_repeating_it(server: LocalServer) -> None:
    server.route("/api/search", json_reply({"Message": "Unauthorized"}, status=401))

    with pytest.raises(FetchError) as caught:
        fetch(usajobs(server.url("/api/search")))

    assert str(caught.value).startswith("usajobs: the API key or the e-mail was rejected")
    assert API_KEY not in str(caught.value)


def test_usajobs_needs_an_email_that_looks_like_one() -> None:
    problems = check_source({"adapter": "usajobs", "options": {"api_key": "k", "email": "me"}})

    assert problems == ["options.email: String should match pattern '^[^@\\s]+@[^@\\s]+$'"]


@pytest.mark.parametrize(
    ("code", "period"),
    [("PA", "year"), ("PH", "hour"), ("pd", "day"), ("PW", "week"), ("PM", "month"),
     ("BW", "BW"), ("Per Year", "Per Year"), (None, None)],
)  # fmt: skip
def test_usajobs_rate_interval_codes_become_pay_periods(
    code: str | None, period: str | None
) -> None:
    assert pay_period(code) == period


def usajobs_pay(remuneration: list[dict[str, str]]) -> tuple[object, ...]:
    record = {
        "MatchedObjectId": "1",
        "MatchedObjectDescriptor": {"PositionTitle": "Clerk", "PositionRemuneration": remuneration},
    }
    document = {"SearchResult": {"SearchResultItems": [record]}}
    raws = parse(usajobs("https://data.usajobs.gov/api/search"), document)
    (posting,) = normalize_all(raws, source="usajobs", now=datetime(2026, 11, 26, tzinfo=UTC))
    job = posting.job
    return job.pay_min, job.pay_max, job.pay_period, job.currency


@pytest.mark.parametrize(
    ("remuneration", "pay"),
    [
        # Today's API: a code, with its words in Description.
        ({"MinimumRange": "48210", "MaximumRange": "62675", "RateIntervalCode": "PA",
          "Description": "Per Year"}, (48210, 62675, "year", "USD")),
        # The older API wrote the words as the code.
        ({"MinimumRange": "92166", "MaximumRange": "161600", "RateIntervalCode": "Per Year"},
         (92166, 161600, "year", "USD")),
        ({"MinimumRange": "18.5", "MaximumRange": "22", "RateIntervalCode": "Per Hour"},
         (18.5, 22, "hour", "USD")),
        # No code: the Description still says the period.
        ({"MinimumRange": "20", "MaximumRange": "24", "Description": "Per Hour"},
         (20, 24, "hour", "USD")),
        # Bi-weekly has no period of ours: the amounts stay, the period is unknown.
        ({"MinimumRange": "1450.5", "MaximumRange": "1612", "RateIntervalCode": "BW",
          "Description": "Bi-weekly"}, (1450.5, 1612, None, "USD")),
    ],
)  # fmt: skip
def test_usajobs_position_remuneration_becomes_pay(
    remuneration: dict[str, str], pay: tuple[object, ...]
) -> None:
    assert usajobs_pay([remuneration]) == pay


# Adzuna: keys in the query, the page number in the path


def adzuna(url: str, **options: Any) -> Adapter:
    keys = {"app_id": "app-1", "app_key": API_KEY, "country": "gb"}
    return board("adzuna", {**keys, **options}, url=url)


def adzuna_page(count: int, *titles: str) -> dict[str, Any]:
    return {"count": count, "results": [{"id": t, "title": t} for t in titles]}


def test_adzuna_puts_the_page_in_the_path_and_the_keys_in_the_query(server: LocalServer) -> None:
    server.route("/jobs/gb/search/1", json_reply(adzuna_page(3, "a", "b")))
    server.route("/jobs/gb/search/2", json_reply(adzuna_page(3, "c")))

    result = fetch(adzuna(server.url("/jobs"), results_per_page=2, params={"what": "intern"}))

    assert [urlsplit(s.path).path for s in server.seen] == [
        "/jobs/gb/search/1",
        "/jobs/gb/search/2",
    ]
    assert query(server.seen[0]) == {
        "sort_by": ["date"],
        "what": ["intern"],
        "app_id": ["app-1"],
        "app_key": [API_KEY],
        "results_per_page": ["2"],
    }
    assert [page.url for page in result.pages] == [
        server.url("/jobs/gb/search/1"),
        server.url("/jobs/gb/search/2"),
    ]  # stored page URLs carry no key


@pytest.mark.parametrize(
    "first_page",
    [adzuna_page(2, "a", "b"), adzuna_page(10, "a")],
    ids=["count reached", "short page"],
)
def test_adzuna_stops_at_the_count_or_a_short_page(
    server: LocalServer, first_page: dict[str, Any]
) -> None:
    server.route("/jobs/gb/search/1", json_reply(first_page))

    fetch(adzuna(server.url("/jobs"), results_per_page=2))

    assert len(server.seen) == 1


def test_adzuna_says_when_the_keys_are_rejected_without_repeating_them(
    server: LocalServer,
) -> None:
    server.route("/jobs/gb/search/1", json_reply({"exception": "AUTH_FAIL"}, status=401))

    with pytest.raises(FetchError) as caught:
        fetch(adzuna(server.url("/jobs")))

    assert str(caught.value).startswith("adzuna: app_id or app_key was rejected")
    assert API_KEY not in str(caught.value)


def test_adzuna_needs_keys_and_a_country_it_knows() -> None:
    problems = check_source({"adapter": "adzuna", "options": {"country": "xx"}})

    assert problems[:2] == [
        "options.app_id: required by the adzuna adapter",
        "options.app_key: required by the adzuna adapter",
    ]
    assert problems[2].startswith("options.country: Input should be 'at', 'au'")


def test_adzuna_marks_estimated_salaries_and_uses_the_country_currency() -> None:
    record = {"title": "Analyst", "salary_min": 30000, "salary_is_predicted": "1"}

    [posting] = parse(
        adzuna("https://api.adzuna.com/v1/api/jobs", country="de"), {"results": [record]}
    )

    assert posting.extra["salary_is_predicted"] is True
    assert (posting.pay_min, posting.currency, posting.pay_period) == (30000.0, "EUR", "year")


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"contract_type": "contract", "contract_time": "full_time"}, "contract, full_time"),
        ({"contract_time": "part_time"}, "part_time"),
        ({"contract_type": ""}, None),
    ],
)
def test_adzuna_joins_the_contract_type_and_time_into_one_hint(
    record: dict[str, str], expected: str | None
) -> None:
    assert employment_type(record) == expected
