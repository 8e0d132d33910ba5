"""Greenhouse, Lever and Remote OK: the URLs they build, their errors and their parse quirks."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest

from aggregator.adapters.base import Adapter, FetchResult, FetchState, option_problems
from aggregator.adapters.greenhouse import GreenhouseAdapter
from aggregator.adapters.lever import LeverAdapter
from aggregator.adapters.remoteok import RemoteOkAdapter, strip_anti_spam
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from tests.support.http_server import LocalServer, Reply

FIXTURES = Path(__file__).parent / "fixtures"
GREENHOUSE_JSON = (FIXTURES / "greenhouse.json").read_bytes()
LEVER_JSON = (FIXTURES / "lever.json").read_bytes()
REMOTEOK_JSON = (FIXTURES / "remoteok.json").read_bytes()
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

A = TypeVar("A", bound=Adapter)


def make(kind: type[A], *, url: str | None = None, **options: Any) -> A:
    return kind(SourceConfig(name="board", adapter=kind.name, url=url, options=options))


def fetch(adapter: Adapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            return await adapter.fetch(client, state or FetchState())

    return asyncio.run(go())


def query_of(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def greenhouse_job(**fields: Any) -> dict[str, Any]:
    job: dict[str, Any] = json.loads(GREENHOUSE_JSON)["jobs"][0]
    return {**job, **fields}


def parse_greenhouse_jobs(*jobs: dict[str, Any], **options: Any) -> list[RawPosting]:
    adapter = make(GreenhouseAdapter, **({"board": "lanternworks"} | options))
    return adapter.parse(json.dumps({"jobs": list(jobs)}).encode(), url="https://x.example/")


# Greenhouse: fetch


def test_greenhouse_fetches_the_boards_jobs_with_content_from_the_api_base(
    server: LocalServer,
) -> None:
    server.route("/v1/boards/lanternworks/jobs", Reply(body=GREENHOUSE_JSON, headers=JSON_HEADERS))
    adapter = make(GreenhouseAdapter, board="lanternworks", api_base=server.url("/"))

    (page,) = fetch(adapter).pages

    assert page.body == GREENHOUSE_JSON
    assert server.seen[0].path == "/v1/boards/lanternworks/jobs?content=true"
    assert server.seen[0].headers["accept"] == "application/json"


def test_greenhouse_without_content_asks_for_the_plain_list() -> None:
    adapter = make(GreenhouseAdapter, board="lanternworks", content=False)
    assert adapter.url == "https://boards-api.greenhouse.io/v1/boards/lanternworks/jobs"


def test_greenhouse_fetch_of_an_unchanged_board_is_not_modified(server: LocalServer) -> None:
    server.route("/v1/boards/lanternworks/jobs", Reply(body=GREENHOUSE_JSON))
    adapter = make(GreenhouseAdapter, board="lanternworks", api_base=server.url())
    first = fetch(adapter)

    second = fetch(adapter, FetchState(content_hash=first.content_hash))

    assert (second.pages, second.not_modified) == ((), True)


@pytest.mark.parametrize("status", [400, 404])
def test_greenhouse_unknown_board_token_is_a_clear_error(server: LocalServer, status: int) -> None:
    body = b'{"error":"Could not find a job board with token \'no-such-co\'"}'
    server.route("/v1/boards/no-such-co/jobs", Reply(status=status, body=body))
    adapter = make(GreenhouseAdapter, board="no-such-co", api_base=server.url())

    with pytest.raises(FetchError, match=r"unknown board token 'no-such-co'") as caught:
        fetch(adapter)

    assert caught.value.status == status
    assert str(caught.value).startswith("greenhouse: ")


def test_greenhouse_server_error_is_not_reported_as_an_unknown_board(server: LocalServer) -> None:
    server.route("/v1/boards/lanternworks/jobs", Reply(status=503))
    adapter = make(GreenhouseAdapter, board="lanternworks", api_base=server.url())

    with pytest.raises(FetchError, match="HTTP 503") as caught:
        fetch(adapter)

    assert "unknown board" not in str(caught.value)


# Greenhouse: options


def test_greenhouse_needs_a_board_token_but_no_url() -> None:
    assert option_problems(GreenhouseAdapter, None, {}) == [
        "options.board: required by the greenhouse adapter"
    ]


@pytest.mark.parametrize("board", ["acme/../admin", "two words", ""])
def test_greenhouse_board_token_must_be_one_path_segment(board: str) -> None:
    (problem,) = option_problems(GreenhouseAdapter, None, {"board": board})
    assert problem.startswith("options.board: ")


def test_greenhouse_api_base_must_be_an_http_url() -> None:
    (problem,) = option_problems(
        GreenhouseAdapter, None, {"board": "acme", "api_base": "ftp://example.com"}
    )
    assert problem.startswith("options.api_base: expected an http:// or https:// URL")


# Greenhouse: parse


def test_greenhouse_content_is_unescaped_once_into_html() -> None:
    posting = parse_greenhouse_jobs(greenhouse_job())[0]
    assert posting.description_html is not None
    assert posting.description_html.startswith('<div class="content-intro"><p><strong>About')
    # `R&amp;amp;D` in the payload is the HTML `R&amp;D`: an entity kept for the HTML parser.
    assert "Join our R&amp;D crew" in posting.description_html


def test_greenhouse_maps_a_job_to_a_raw_posting() -> None:
    (posting,) = parse_greenhouse_jobs(greenhouse_job())
    assert posting.title == "Data Visualisation Intern (12 weeks)"
    assert posting.guid == "4012001"
    assert posting.url == "https://boards.greenhouse.io/lanternworks/jobs/4012001"
    assert posting.company == "Lanternworks Studio"
    assert posting.location == "Remote - Portugal"
    assert posting.tags == ("Research & Development",)
    assert posting.employment_type == "Internship"
    assert posting.extra["offices"] == ["Lisbon"]


def test_greenhouse_posted_at_is_first_published_else_updated_at() -> None:
    published, updated = parse_greenhouse_jobs(
        greenhouse_job(), greenhouse_job(first_published=None)
    )
    assert published.posted_at == datetime(2026, 9, 28, 15, 2, 10, tzinfo=UTC)
    assert updated.posted_at == datetime(2026, 10, 2, 13, 14, 55, tzinfo=UTC)


def test_greenhouse_company_option_wins_over_the_jobs_company_name() -> None:
    (posting,) = parse_greenhouse_jobs(greenhouse_job(), company="Lanternworks")
    assert posting.company == "Lanternworks"


def test_greenhouse_without_company_name_falls_back_to_the_title_cased_board_token() -> None:
    job = greenhouse_job()
    del job["company_name"]
    (posting,) = parse_greenhouse_jobs(job, board="lantern-works_studio")
    assert posting.company == "Lantern Works Studio"


def test_greenhouse_location_falls_back_to_the_offices() -> None:
    (posting,) = parse_greenhouse_jobs(greenhouse_job(location=None))
    assert posting.location == "Lisbon"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"jobs": {"id": 1}}', "greenhouse: expected a list at $.jobs, got an object"),
        (b'{"meta": {"total": 0}}', "greenhouse: expected a list at $.jobs, got null"),
        (b"[]", "greenhouse: expected an object at $, got a list"),
        (b'{"jobs": [{"title": "ok"}, "x"]}', "expected an object at $.jobs[1], got a string"),
        (b'{"jobs": [{"id": 1}]}', "expected a string at $.jobs[0].title, got null"),
        (b"<!DOCTYPE html><html></html>", "greenhouse: expected a JSON document, got an HTML page"),
        (b'{"jobs": [', "got invalid JSON (Expecting value at line 1, column 11)"),
    ],
)
def test_greenhouse_payload_of_the_wrong_shape_names_the_path(body: bytes, message: str) -> None:
    adapter = make(GreenhouseAdapter, board="lanternworks")
    with pytest.raises(SourceError) as caught:
        adapter.parse(body, url="https://x.example/")
    assert message in str(caught.value)


# Lever: fetch and options


def test_lever_fetches_the_sites_postings_with_its_filters(server: LocalServer) -> None:
    server.route("/v0/postings/quillmarket", Reply(body=LEVER_JSON, headers=JSON_HEADERS))
    adapter = make(
        LeverAdapter,
        site="quillmarket",
        api_base=server.url(),
        team="Design Systems",
        commitment=["Internship", "Contract"],
    )

    (page,) = fetch(adapter).pages

    assert page.body == LEVER_JSON
    assert urlsplit(server.seen[0].path).path == "/v0/postings/quillmarket"
    assert query_of(server.seen[0].path) == {
        "mode": ["json"],
        "team": ["Design Systems"],
        "commitment": ["Internship", "Contract"],
    }


@pytest.mark.parametrize(
    ("region", "host"), [("global", "https://api.lever.co"), ("eu", "https://api.eu.lever.co")]
)
def test_lever_region_picks_the_api_host(region: str, host: str) -> None:
    adapter = make(LeverAdapter, site="quillmarket", region=region)
    assert adapter.url == f"{host}/v0/postings/quillmarket?mode=json"


def test_lever_unknown_site_is_a_clear_error(server: LocalServer) -> None:
    body = b'{"ok":false,"error":"Document not found"}'
    server.route("/v0/postings/nosuchsite", Reply(status=404, body=body, headers=JSON_HEADERS))
    adapter = make(LeverAdapter, site="nosuchsite", api_base=server.url())

    with pytest.raises(FetchError, match=r"^lever: unknown site 'nosuchsite'") as caught:
        fetch(adapter)

    assert "eu host" in str(caught.value)


def test_lever_group_is_not_an_option_and_the_error_lists_the_valid_ones() -> None:
    (problem,) = option_problems(LeverAdapter, None, {"site": "quillmarket", "group": "team"})
    assert problem.startswith("options.group: unknown option (valid: site, region, api_base")


def test_lever_region_must_be_global_or_eu() -> None:
    (problem,) = option_problems(LeverAdapter, None, {"site": "quillmarket", "region": "us"})
    assert problem.startswith("options.region: ")


# Lever: parse


def lever_postings(**options: Any) -> list[RawPosting]:
    adapter = make(LeverAdapter, **({"site": "quillmarket"} | options))
    return adapter.parse(LEVER_JSON, url="https://api.lever.co/v0/postings/quillmarket")


def test_lever_created_at_is_read_as_epoch_milliseconds() -> None:
    assert [p.posted_at for p in lever_postings()] == [
        datetime(2026, 9, 28, 10, 0, tzinfo=UTC),
        datetime(2026, 10, 12, 10, 0, tzinfo=UTC),
        datetime(2026, 9, 20, 10, 0, tzinfo=UTC),
    ]


def test_lever_maps_categories_workplace_and_salary_range() -> None:
    intern = lever_postings(company="Quill Market")[0]
    assert (intern.title, intern.company) == ("Design Systems Intern", "Quill Market")
    assert intern.url == "https://jobs.lever.co/quillmarket/3f1c9a52-6d0e-4b8e-9a41-7c2d5e8f1a03"
    assert (intern.location, intern.employment_type) == ("Utrecht, Netherlands", "Internship")
    assert intern.tags == ("Design Systems", "Product")
    assert intern.remote == "hybrid"
    assert (intern.pay_min, intern.pay_max, intern.currency) == (1800.0, 2100.0, "EUR")
    assert intern.pay_period == "per-month-salary"
    assert intern.pay_text == "Paid monthly; travel to team weeks covered."


def test_lever_old_postings_without_workplace_or_salary_leave_them_unknown() -> None:
    old = lever_postings()[2]
    assert (old.remote, old.pay_min, old.pay_max, old.currency) == (None, None, None, None)
    assert old.company == "Quillmarket"


def test_lever_description_joins_text_lists_and_closing_in_page_order() -> None:
    html = lever_postings()[0].description_html
    assert html is not None
    parts = [
        "<div>Quill Market sells paper goods",
        "<h3>What you will do</h3><ul><li>Audit 60 components",
        "<h3>You might be</h3><ul><li>A design or HCI student</li></ul>",
        "<div><b>How we work:</b>",
    ]
    positions = [html.index(part) for part in parts]
    assert positions == sorted(positions)


def test_lever_plain_text_description_becomes_paragraphs() -> None:
    assert lever_postings()[2].description_html == (
        "<p>We pack every order by hand.</p>"
        "<p>You keep the shelves, the couriers and the spreadsheet in step.</p>"
    )


def test_lever_grouped_response_gives_the_same_postings() -> None:
    flat = json.loads(LEVER_JSON)
    grouped = [
        {"title": "Utrecht, Netherlands", "postings": [flat[0], flat[2]]},
        {"title": "Remote", "postings": [flat[1]]},
    ]
    adapter = make(LeverAdapter, site="quillmarket")
    postings = adapter.parse(json.dumps(grouped).encode(), url="https://x.example/")
    assert sorted(p.guid or "" for p in postings) == sorted(p["id"] for p in flat)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"ok":false,"error":"Document not found"}',
            "lever: expected a list at $, got an object",
        ),
        (b'[{"title": "Remote", "postings": 3}]', "expected a list at $[0].postings, got a number"),
        (b'[{"id": "x", "text": 7}]', "expected a string at $[0].text, got a number"),
    ],
)
def test_lever_payload_of_the_wrong_shape_names_the_path(body: bytes, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        make(LeverAdapter, site="quillmarket").parse(body, url="https://x.example/")
    assert message in str(caught.value)


# Remote OK: fetch


def test_remoteok_fetches_the_url_with_the_tag_filter(server: LocalServer) -> None:
    url = server.route("/api", Reply(body=REMOTEOK_JSON, headers=JSON_HEADERS))
    (page,) = fetch(make(RemoteOkAdapter, url=url, tag="python")).pages
    assert page.body == REMOTEOK_JSON
    assert server.seen[0].path == "/api?tag=python"


def test_remoteok_without_a_tag_fetches_the_whole_feed(server: LocalServer) -> None:
    url = server.route("/api", Reply(body=REMOTEOK_JSON))
    fetch(make(RemoteOkAdapter, url=url))
    assert server.seen[0].path == "/api"


def test_remoteok_missing_api_is_a_clear_error(server: LocalServer) -> None:
    with pytest.raises(FetchError, match=r"^remoteok: no API at this URL"):
        fetch(make(RemoteOkAdapter, url=server.url("/gone")))


# Remote OK: parse


def remoteok_postings(body: bytes = REMOTEOK_JSON) -> list[RawPosting]:
    return make(RemoteOkAdapter, url="https://remoteok.com/api").parse(body, url="https://x/")


def test_remoteok_skips_the_legal_notice_and_blank_placeholder_ads() -> None:
    titles = [p.title for p in remoteok_postings()]
    assert titles == [
        "Junior Support Writer",
        "Backend Engineer (Go)",
        "Micro-internship: User Research Notes",
    ]


def test_remoteok_legal_notice_alone_gives_no_postings() -> None:
    legal_only = json.dumps(json.loads(REMOTEOK_JSON)[:1]).encode()
    assert remoteok_postings(legal_only) == []


def test_remoteok_every_posting_is_remote_with_its_date_from_the_epoch() -> None:
    postings = remoteok_postings()
    assert all(p.remote is True for p in postings)
    assert postings[0].posted_at == datetime(2026, 10, 18, 10, 0, tzinfo=UTC)


def test_remoteok_zero_salary_means_unknown() -> None:
    writer, engineer, _ = remoteok_postings()
    assert (writer.pay_min, writer.pay_max, writer.currency, writer.pay_period) == (None,) * 4
    assert (engineer.pay_min, engineer.pay_max) == (60000.0, 85000.0)
    assert (engineer.currency, engineer.pay_period) == ("USD", "year")


def test_remoteok_descriptions_lose_the_anti_spam_line() -> None:
    for posting in remoteok_postings():
        assert posting.description_html is not None
        assert "Please mention" not in posting.description_html
        assert "RMTk4" not in posting.description_html
    assert remoteok_postings()[1].description_html == (
        "We run tide sensors along 300 km of coast and need help with the ingest service."
    )


def test_remoteok_repairs_doubly_encoded_utf8_and_literal_newlines_between_tags() -> None:
    html = remoteok_postings()[0].description_html
    assert html is not None
    assert "São Paulo time zone" in html
    assert "<p></p>\n<p>#LI-Remote</p>" in html


def test_remoteok_tags_are_kept_once_each_in_order() -> None:
    assert remoteok_postings()[0].tags == ("writing", "support", "junior")


def test_remoteok_reads_string_epochs_and_falls_back_to_the_date_and_apply_url() -> None:
    job = {"id": 7, "position": "Editor", "epoch": "1616060844", "apply_url": "https://a.example/7"}
    dated = {"id": 8, "position": "Editor", "date": "2021-03-18T09:47:24+00:00"}
    first, second = remoteok_postings(json.dumps([job, dated]).encode())
    assert first.posted_at == second.posted_at == datetime(2021, 3, 18, 9, 47, 24, tzinfo=UTC)
    assert (first.guid, first.url) == ("7", "https://a.example/7")


def test_remoteok_element_that_is_not_an_object_names_its_index() -> None:
    with pytest.raises(SourceError, match=r"^remoteok: expected an object at \$\[1\], got a list$"):
        remoteok_postings(b'[{"legal": "terms"}, []]')


LINE = (
    "Please mention the word **KESTREL** and tag RMNzcuMS4y when applying to show you read the "
    "job post completely (#RMNzcuMS4y). This is a beta feature to avoid spam applicants. "
    "Companies can search these words to find applicants that read this and see they{q}re human."
)


@pytest.mark.parametrize("apostrophe", ["'", "&#39;", "&#x27;", "’"])
def test_anti_spam_line_goes_whatever_the_apostrophe(apostrophe: str) -> None:
    text = "<p>Job.</p><br/><br/>" + LINE.format(q=apostrophe)
    assert strip_anti_spam(text) == "<p>Job.</p>"


def test_anti_spam_line_in_the_middle_keeps_what_follows() -> None:
    text = "<p>Job.</p><br /><br />" + LINE.format(q="'") + "<p>Benefits.</p>"
    assert strip_anti_spam(text) == "<p>Job.</p><p>Benefits.</p>"


def test_anti_spam_line_with_new_wording_is_cut_at_the_next_tag_only() -> None:
    text = "<p>Job.</p><br/>Please mention the word **OWL** when you apply.<p>Benefits.</p>"
    assert strip_anti_spam(text) == "<p>Job.</p><p>Benefits.</p>"


def test_description_without_the_anti_spam_line_is_unchanged() -> None:
    text = "<p>Please mention your portfolio.</p>"
    assert strip_anti_spam(text) == text
