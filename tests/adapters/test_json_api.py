"""The generic json_api adapter: paths, field maps, dates, pagination and errors over loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from aggregator.adapters.base import FetchResult, FetchState, option_problems
from aggregator.adapters.json_api import JsonApiAdapter, parse_date
from aggregator.adapters.json_pagination import next_link_from_header
from aggregator.adapters.json_paths import MISSING, JsonPath
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from tests.support.http_server import LocalServer, Reply, Seen

PAGE_URL = "https://board.example/api/jobs"


def make_adapter(options: dict[str, Any], url: str = PAGE_URL) -> JsonApiAdapter:
    return JsonApiAdapter(SourceConfig(name="t", adapter="json_api", url=url, options=options))


def parse(options: dict[str, Any], document: object) -> list[RawPosting]:
    return make_adapter(options).parse(json.dumps(document).encode(), url=PAGE_URL)


def fetch(adapter: JsonApiAdapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            return await adapter.fetch(client, state or FetchState())

    return asyncio.run(go())


def query(seen: Seen) -> dict[str, list[str]]:
    return parse_qs(urlsplit(seen.path).query)


def json_reply(document: object, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        body=json.dumps(document).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def jobs(*titles: str) -> list[dict[str, str]]:
    return [{"title": title} for title in titles]


def titles_of(result: FetchResult, adapter: JsonApiAdapter) -> list[str]:
    return [p.title for page in result.pages for p in adapter.parse(page.body, url=page.url)]


# Paths


DOCUMENT = {
    "data": {"items": [{"n": 1, "tags": [{"name": "a"}, {"name": "b"}]}, {"n": 2}]},
    "0-legal-notice": "x",
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data.items[0].n", 1),
        ("data.items[-1].n", 2),
        ("data.items[1:]", [{"n": 2}]),
        ("data.items[].n", [1, 2]),
        ("data.items[0].tags[].name", ["a", "b"]),
        ("0-legal-notice", "x"),
        ("", DOCUMENT),
    ],
)
def test_a_path_reads_keys_indexes_slices_and_maps_over_lists(path: str, expected: object) -> None:
    assert JsonPath.compile(path).resolve(DOCUMENT) == expected


def test_a_path_that_does_not_resolve_is_missing_and_says_where_it_stopped() -> None:
    path = JsonPath.compile("data.items.name")

    assert path.resolve(DOCUMENT) is MISSING
    assert path.why_not(DOCUMENT) == "expected an object at 'data.items', got list"
    assert JsonPath.compile("data.nope").why_not(DOCUMENT) == "nothing at 'data.nope'"


@pytest.mark.parametrize("path", ["a..b", "a[x]", "a[0]b", "["])
def test_a_badly_written_path_is_a_config_error(path: str) -> None:
    problems = option_problems(JsonApiAdapter, PAGE_URL, {"fields": {"title": path}})

    assert len(problems) == 1
    assert f"invalid path {path!r}" in problems[0]


# Field maps


def test_every_field_target_lands_in_the_raw_posting() -> None:
    record = {
        "key": 7, "name": "Gig", "org": {"name": "Acme"}, "link": "/jobs/7",
        "when": "2026-11-20T10:00:00Z", "where": "Berlin", "wfh": True, "kind": "contract",
        "lo": 20, "hi": "30", "cur": "EUR", "per": "hour", "pay": "20-30 EUR/h",
        "labels": ["python", "sql"], "body": "<p>Hi</p>", "until": 1798675200, "span": "2 weeks",
    }  # fmt: skip
    fields = {
        "id": "key", "title": "name", "company": "org.name", "url": "link", "posted_at": "when",
        "location": "where", "remote": "wfh", "employment_type": "kind", "pay_min": "lo",
        "pay_max": "hi", "currency": "cur", "pay_period": "per", "pay_text": "pay",
        "tags": "labels", "description": "body", "deadline": "until", "duration_text": "span",
    }  # fmt: skip

    [posting] = parse({"records": "jobs", "fields": fields}, {"jobs": [record]})

    assert posting == RawPosting(
        title="Gig",
        guid="7",
        url="https://board.example/jobs/7",
        company="Acme",
        location="Berlin",
        description_html="<p>Hi</p>",
        tags=("python", "sql"),
        posted_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        remote=True,
        employment_type="contract",
        pay_min=20.0,
        pay_max="30",
        currency="EUR",
        pay_period="hour",
        pay_text="20-30 EUR/h",
        duration_text="2 weeks",
        deadline=datetime(2026, 12, 31, tzinfo=UTC),
    )


def test_a_list_of_paths_takes_the_first_that_gives_something() -> None:
    fields = {"title": "title", "url": ["applyUrl", "guid", "link"]}
    records = [
        {"title": "a", "applyUrl": "", "guid": "https://x.example/1"},
        {"title": "b", "applyUrl": None, "link": "https://x.example/2"},
    ]

    postings = parse({"fields": fields}, records)

    assert [p.url for p in postings] == ["https://x.example/1", "https://x.example/2"]


@pytest.mark.parametrize(
    ("tags", "path", "expected"),
    [
        (["python", "sql"], "tags", ("python", "sql")),
        ([{"name": "python"}, {"name": "sql"}], "tags[].name", ("python", "sql")),
        ("python, sql,,remote ", "tags", ("python", "sql", "remote")),
        (["Marketing &amp; Sales"], "tags", ("Marketing & Sales",)),
    ],
)
def test_tags_come_from_strings_objects_or_comma_separated_text(
    tags: object, path: str, expected: tuple[str, ...]
) -> None:
    [posting] = parse({"fields": {"title": "t", "tags": path}}, [{"t": "x", "tags": tags}])

    assert posting.tags == expected


def test_lists_of_places_are_joined_into_one_location() -> None:
    record = {"t": "x", "locations": [{"name": "Remote"}, {"name": "Boston, MA"}]}

    [posting] = parse({"fields": {"title": "t", "location": "locations[].name"}}, [record])

    assert posting.location == "Remote, Boston, MA"


def test_constants_fill_fields_that_the_record_does_not_give() -> None:
    options = {
        "fields": {"title": "t", "remote": "remote"},
        "constants": {"remote": True, "company": "Board Inc"},
    }

    postings = parse(options, [{"t": "a"}, {"t": "b", "remote": "hybrid"}])

    assert [(p.remote, p.company) for p in postings] == [
        (True, "Board Inc"),
        ("hybrid", "Board Inc"),
    ]


def test_a_url_template_builds_links_from_record_keys() -> None:
    options = {"fields": {"title": "t"}, "url_template": "https://board.example/jobs/{slug}"}

    postings = parse(options, [{"t": "a", "slug": "dev-1"}, {"t": "b"}])

    assert [p.url for p in postings] == ["https://board.example/jobs/dev-1", None]


def test_a_slice_of_the_root_list_skips_a_leading_notice() -> None:
    document = [{"legal": "terms"}, {"position": "Dev"}]

    [posting] = parse({"records": "[1:]", "fields": {"title": "position"}}, document)

    assert posting.title == "Dev"


# Dates


@pytest.mark.parametrize(
    ("value", "date_format", "expected"),
    [
        ("2026-11-20T10:00:00Z", "auto", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20 10:00:00", "auto", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        (
            "2026-11-20T10:00:00-05:00",
            "iso",
            datetime(2026, 11, 20, 10, tzinfo=timezone(timedelta(hours=-5))),
        ),
        (1795680000, "auto", datetime(2026, 11, 26, 8, tzinfo=UTC)),
        (1795680000000, "auto", datetime(2026, 11, 26, 8, tzinfo=UTC)),
        ("1795680000", "auto", datetime(2026, 11, 26, 8, tzinfo=UTC)),
        (1795680000, "epoch_s", datetime(2026, 11, 26, 8, tzinfo=UTC)),
        (1795680000000, "epoch_ms", datetime(2026, 11, 26, 8, tzinfo=UTC)),
        (1795680000, "iso", None),
        ("2026-11-20T10:00:00Z", "epoch_s", None),
        ("next Tuesday", "auto", None),
        (True, "auto", None),
        (10**30, "epoch_s", None),
    ],
)
def test_dates_are_read_in_the_configured_format_and_naive_means_utc(
    value: object, date_format: Any, expected: datetime | None
) -> None:
    assert parse_date(value, date_format) == expected


# Errors in payloads and options


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"jobs": {"a": 1}}, "json_api: expected a list of records at 'jobs', got object"),
        ({"data": []}, "json_api: expected a list of records at 'jobs', nothing at 'jobs'"),
        ([1], "json_api: expected a list of records at 'jobs', expected an object at the top"),
        ({"jobs": [{"title": "a"}, "b"]}, "json_api: expected an object at record 1, got string"),
    ],
)
def test_a_payload_of_the_wrong_shape_says_what_was_expected_where(
    document: object, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        parse({"records": "jobs"}, document)

    assert str(caught.value).startswith(message)


def test_a_record_without_a_title_names_the_board_the_path_and_the_record() -> None:
    options = {"records": "jobs", "fields": {"title": "jobTitle"}}
    adapter = JsonApiAdapter(SourceConfig(name="t", adapter="jobicy", options=options))
    body = json.dumps({"jobs": [{"jobTitle": "ok"}, {"jobTitle": ""}]}).encode()

    with pytest.raises(
        SourceError, match=r"^jobicy \(json_api\): record 1 has no title at 'jobTitle'$"
    ):
        adapter.parse(body, url=PAGE_URL)


def test_an_object_where_text_is_expected_is_an_error_naming_the_field() -> None:
    with pytest.raises(
        SourceError, match=r"record 0: expected text or a number at 'org' \(company\), got object"
    ):
        parse({"fields": {"title": "t", "company": "org"}}, [{"t": "x", "org": {"id": 1}}])


def test_an_html_page_instead_of_json_is_an_adapter_error() -> None:
    with pytest.raises(SourceError, match=r"^json_api: expected JSON, got an HTML page$"):
        make_adapter({}).parse(b"<!DOCTYPE html><html>busy</html>", url=PAGE_URL)


def test_an_unknown_pagination_type_lists_the_valid_ones() -> None:
    [problem] = option_problems(JsonApiAdapter, PAGE_URL, {"pagination": {"type": "scroll"}})

    for name in ("none", "page", "offset", "cursor", "next_link", "link_header"):
        assert f"'{name}'" in problem


def test_an_unknown_field_target_and_a_missing_title_are_config_errors() -> None:
    [unknown] = option_problems(JsonApiAdapter, PAGE_URL, {"fields": {"salary": "pay"}})
    [untitled] = option_problems(JsonApiAdapter, PAGE_URL, {"fields": {"url": "link"}})

    assert unknown.startswith("options.fields.salary.[key]: Input should be 'id', 'title'")
    assert untitled == "options.fields: map `title` to the path of each record's title"


# Fetching and pagination over loopback


def pages_by(param: str, bodies: dict[str, object], **headers: str) -> Callable[[Seen], Reply]:
    def answer(seen: Seen) -> Reply:
        key = query(seen).get(param, [""])[0]
        return json_reply(bodies.get(key, {"jobs": []}), headers)

    return answer


def test_page_pagination_counts_pages_and_stops_at_an_empty_one(server: LocalServer) -> None:
    bodies = {"1": {"jobs": jobs("a", "b")}, "2": {"jobs": jobs("c")}, "3": {"jobs": []}}
    url = server.route("/jobs", pages_by("p", bodies))
    adapter = make_adapter(
        {
            "records": "jobs",
            "params": {"q": "intern"},
            "pagination": {"type": "page", "param": "p", "size_param": "per", "size": 2},
        },
        url=url + "?lang=en",
    )

    result = fetch(adapter)

    assert [query(s) for s in server.seen] == [
        {"lang": ["en"], "q": ["intern"], "p": ["1"], "per": ["2"]},
        {"lang": ["en"], "q": ["intern"], "p": ["2"], "per": ["2"]},
    ]  # page 2 is short: the last one, so page 3 is never asked for
    assert titles_of(result, adapter) == ["a", "b", "c"]


def test_page_pagination_stops_at_the_page_count_in_the_body(server: LocalServer) -> None:
    bodies = {str(n): {"results": jobs(f"t{n}"), "page_count": 2} for n in range(5)}
    url = server.route("/jobs", pages_by("page", bodies))
    pagination = {"type": "page", "start": 0, "total_pages_path": "page_count"}
    adapter = make_adapter({"records": "results", "pagination": pagination}, url=url)

    result = fetch(adapter)

    assert [query(s)["page"] for s in server.seen] == [["0"], ["1"]]
    assert titles_of(result, adapter) == ["t0", "t1"]


def test_offset_pagination_steps_by_the_page_size_until_a_short_page(server: LocalServer) -> None:
    bodies = {
        "0": {"jobs": jobs("a", "b")},
        "2": {"jobs": jobs("c", "d")},
        "4": {"jobs": jobs("e")},
    }
    url = server.route("/jobs", pages_by("offset", bodies))
    pagination = {"type": "offset", "size": 2}
    adapter = make_adapter({"records": "jobs", "pagination": pagination}, url=url)

    result = fetch(adapter)

    assert [(query(s)["offset"], query(s)["limit"]) for s in server.seen] == [
        (["0"], ["2"]),
        (["2"], ["2"]),
        (["4"], ["2"]),
    ]
    assert titles_of(result, adapter) == ["a", "b", "c", "d", "e"]


def test_cursor_pagination_sends_the_cursor_from_the_previous_body(server: LocalServer) -> None:
    bodies = {
        "": {"items": jobs("a"), "meta": {"next": "c2"}},
        "c2": {"items": jobs("b"), "meta": {"next": "c3"}},
        "c3": {"items": jobs("c"), "meta": {"next": None}},
    }
    url = server.route("/jobs", pages_by("after", bodies))
    pagination = {"type": "cursor", "param": "after", "cursor_path": "meta.next"}
    adapter = make_adapter({"records": "items", "pagination": pagination}, url=url)

    result = fetch(adapter)

    assert [query(s).get("after") for s in server.seen] == [None, ["c2"], ["c3"]]
    assert titles_of(result, adapter) == ["a", "b", "c"]


def test_next_link_pagination_follows_relative_links_in_the_body(server: LocalServer) -> None:
    bodies = {
        "": {"data": jobs("a"), "links": {"next": "/jobs?page=2"}},
        "2": {"data": jobs("b"), "links": {"next": None}},
    }
    url = server.route("/jobs", pages_by("page", bodies))
    adapter = make_adapter({"records": "data", "pagination": {"type": "next_link"}}, url=url)

    result = fetch(adapter)

    assert [s.path for s in server.seen] == ["/jobs", "/jobs?page=2"]
    assert titles_of(result, adapter) == ["a", "b"]


def test_link_header_pagination_follows_rel_next(server: LocalServer) -> None:
    last = f'<{server.url("/jobs?page=9")}>; rel="last"'
    bodies: dict[str, Reply] = {
        "": json_reply(jobs("a"), {"Link": f'<{server.url("/jobs?page=2")}>; rel="next", {last}'}),
        "2": json_reply(jobs("b"), {"Link": f'{last}, </jobs?page=3>; rel="next"'}),
        "3": json_reply(jobs("c"), {"Link": last}),
    }
    server.route("/jobs", lambda seen: bodies[query(seen).get("page", [""])[0]])
    adapter = make_adapter({"pagination": {"type": "link_header"}}, url=server.url("/jobs"))

    result = fetch(adapter)

    assert [s.path for s in server.seen] == ["/jobs", "/jobs?page=2", "/jobs?page=3"]
    assert titles_of(result, adapter) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://x.example/2>; rel="next"', "https://x.example/2"),
        ("<https://x.example/1>; rel=prev, <https://x.example/3>; rel=next", "https://x.example/3"),
        ('<https://x.example/4>; title="a, b"; rel="prefetch next"', "https://x.example/4"),
        ('<https://x.example/9>; rel="last"', None),
        ("", None),
    ],
)
def test_the_link_header_parser_finds_rel_next(header: str, expected: str | None) -> None:
    assert next_link_from_header(header) == expected


def test_max_pages_bounds_a_source_that_always_has_a_next_page(server: LocalServer) -> None:
    def endless(seen: Seen) -> Reply:
        number = int(query(seen).get("page", ["1"])[0])
        return json_reply(
            {"data": jobs(f"t{number}"), "links": {"next": f"/jobs?page={number + 1}"}}
        )

    url = server.route("/jobs", endless)
    options = {"records": "data", "pagination": {"type": "next_link"}, "max_pages": 3}

    result = fetch(make_adapter(options, url=url))

    assert len(server.seen) == 3
    assert len(result.pages) == 3


def test_a_next_link_back_to_a_fetched_page_stops_the_loop(server: LocalServer) -> None:
    url = server.route("/jobs", json_reply({"data": jobs("a"), "links": {"next": "/jobs"}}))

    fetch(make_adapter({"records": "data", "pagination": {"type": "next_link"}}, url=url))

    assert len(server.seen) == 1


def test_unchanged_pages_are_not_parsed_again(server: LocalServer) -> None:
    url = server.route("/jobs", pages_by("page", {"1": {"jobs": jobs("a")}}))
    adapter = make_adapter({"records": "jobs", "pagination": {"type": "page"}}, url=url)

    first = fetch(adapter)
    second = fetch(adapter, FetchState(content_hash=first.content_hash))

    assert len(first.pages) == 2  # the second page is empty and ends the walk
    assert second.not_modified
    assert second.pages == ()


def test_auth_headers_and_params_are_sent_but_kept_out_of_page_urls(server: LocalServer) -> None:
    url = server.route("/jobs", json_reply({"jobs": jobs("a")}))
    options = {
        "records": "jobs",
        "headers": {"Authorization": "Bearer s3cret-token"},
        "params": {"api_key": "k3y", "level": ["Internship", "Entry Level"], "descending": True},
    }

    result = fetch(make_adapter(options, url=url))

    [seen] = server.seen
    assert seen.headers["authorization"] == "Bearer s3cret-token"
    assert query(seen) == {
        "api_key": ["k3y"],
        "level": ["Internship", "Entry Level"],
        "descending": ["true"],
    }
    assert result.pages[0].url == url  # no api_key in what the pipeline may log or store


def test_a_404_is_an_http_error_without_the_api_key(server: LocalServer) -> None:
    server.route("/jobs", Reply(status=404, body=b'{"error": "not found"}'))
    adapter = make_adapter({"params": {"api_key": "k3y"}}, url=server.url("/jobs"))

    with pytest.raises(FetchError) as caught:
        fetch(adapter)

    assert caught.value.status == 404
    assert "HTTP 404" in str(caught.value)
    assert "k3y" not in str(caught.value)


def test_a_wrong_shape_on_a_later_page_fails_the_whole_fetch(server: LocalServer) -> None:
    bodies = {"1": {"jobs": jobs("a")}, "2": {"jobs": "maintenance"}}
    url = server.route("/jobs", pages_by("page", bodies))
    adapter = make_adapter({"records": "jobs", "pagination": {"type": "page"}}, url=url)

    with pytest.raises(SourceError, match="expected a list of records at 'jobs', got string"):
        fetch(adapter)


def test_a_url_template_with_a_badly_written_key_is_a_config_error() -> None:
    options = {"url_template": "https://board.example/jobs/{a..b}"}

    [problem] = option_problems(JsonApiAdapter, PAGE_URL, options)

    assert problem == "options.url_template: invalid path 'a..b' at character 2"
