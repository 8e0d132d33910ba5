"""Greenhouse, Lever and Remote OK on the real payloads in ../shared/payloads (skipped without)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from aggregator.adapters.base import Adapter, FetchState
from aggregator.adapters.greenhouse import GreenhouseAdapter
from aggregator.adapters.lever import LeverAdapter
from aggregator.adapters.remoteok import RemoteOkAdapter
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from aggregator.normalize.postings import normalize_all
from tests.support.http_server import LocalServer, Reply
from tests.support.shared import PAYLOADS

NOW = datetime(2024, 12, 5, tzinfo=UTC)

A = TypeVar("A", bound=Adapter)


def payload(name: str) -> bytes:
    path = PAYLOADS / name
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared payloads are optional)")
    return path.read_bytes()


def make(kind: type[A], *, url: str | None = None, **options: Any) -> A:
    return kind(SourceConfig(name="real", adapter=kind.name, url=url, options=options))


def parse(kind: type[Adapter], name: str, **options: Any) -> list[RawPosting]:
    url = "https://remoteok.com/api" if kind is RemoteOkAdapter else None
    return make(kind, url=url, **options).parse(payload(name), url="https://payload.example/")


def fetch_error(adapter: Adapter) -> FetchError:
    async def go() -> None:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            await adapter.fetch(client, FetchState())

    with pytest.raises(FetchError) as caught:
        asyncio.run(go())
    return caught.value


# Greenhouse


def test_greenhouse_2013_board_gives_two_jobs_with_unescaped_html() -> None:
    postings = parse(
        GreenhouseAdapter,
        "greenhouse/embed_jobs_content-true_2013-09.json",
        board="generalassembly",
    )
    assert [p.title for p in postings] == ["Application developer", "Finance Analyst"]
    assert [p.location for p in postings] == ["New York, NY", "New York"]
    assert [p.guid for p in postings] == ["721", "722"]
    assert all(
        p.url and p.url.startswith("http://boards.greenhouse.io/generalassembly/jobs/")
        for p in postings
    )
    assert all(p.company == "Generalassembly" for p in postings)  # no company_name in 2013
    assert postings[1].tags == ("Finance",)
    for posting in postings:
        assert posting.description_html is not None
        assert posting.description_html.startswith("<h3>Who this job is right for</h3>")
        assert "&lt;" not in posting.description_html
        assert posting.posted_at == datetime(2013, 9, 12, 21, 1, 50, tzinfo=UTC)


def test_greenhouse_docs_example_with_content_reads_departments_and_the_offset_date() -> None:
    (posting,) = parse(
        GreenhouseAdapter, "greenhouse/docs_example_list_jobs_content-true.json", board="vaulttec"
    )
    assert (posting.title, posting.location, posting.guid) == ("Vault Designer", "NYC", "127817")
    assert posting.url == "https://boards.greenhouse.io/vaulttec/jobs/127817"
    assert posting.tags == ("Department of Departments",)
    assert posting.extra["offices"] == ["East Coast", "New York City"]
    assert posting.posted_at == datetime(2016, 1, 14, 15, 55, 28, tzinfo=UTC)
    # The docs example is escaped twice; one unescape leaves it as the API documents it.
    assert posting.description_html == (
        "This is the job description. &lt;p&gt;Any HTML included through the hosted job "
        "application editor will be automatically converted into corresponding HTML "
        "entities.&lt;/p&gt;"
    )


def test_greenhouse_docs_example_without_content_has_no_description() -> None:
    (posting,) = parse(
        GreenhouseAdapter, "greenhouse/docs_example_list_jobs.json", board="vaulttec"
    )
    assert (posting.title, posting.description_html, posting.tags) == ("Vault Designer", None, ())


def test_greenhouse_real_invalid_board_body_gives_the_unknown_token_error(
    server: LocalServer,
) -> None:
    body = payload("greenhouse/error_400_invalid_board_2013.json")
    server.route("/v1/boards/not-real-inc/jobs", Reply(status=400, body=body))
    adapter = make(GreenhouseAdapter, board="not-real-inc", api_base=server.url())
    assert "unknown board token 'not-real-inc'" in str(fetch_error(adapter))


# Lever


def test_lever_2015_demo_site_gives_28_complete_postings() -> None:
    postings = parse(LeverAdapter, "lever/postings_leverdemo_mode-json_2015.json", site="leverdemo")
    assert len(postings) == 28
    for posting in postings:
        assert posting.title
        assert posting.url
        assert posting.url.startswith("https://jobs.lever.co/leverdemo/")
        assert posting.company == "Leverdemo"
        assert posting.posted_at is not None
        assert (
            datetime(2013, 1, 1, tzinfo=UTC) < posting.posted_at < datetime(2016, 1, 1, tzinfo=UTC)
        )
        assert posting.remote is None  # no workplaceType in 2015
    types = {p.employment_type for p in postings}
    assert types == {"Full-time", "Part-time", "Internship"}
    assert sum(p.description_html is None for p in postings) == 1  # the intern posting is bare


def test_lever_2015_first_posting_keeps_its_lists_and_paragraphs() -> None:
    first = parse(LeverAdapter, "lever/postings_leverdemo_mode-json_2015.json", site="leverdemo")[0]
    assert first.title == "Account Executive"
    assert first.posted_at == datetime(2013, 10, 4, 20, 14, 27, 108000, tzinfo=UTC)
    assert first.description_html is not None
    assert first.description_html.startswith("<p>Be a foundational member")
    assert "<h3>WITHIN ONE MONTH YOU WILL:</h3><ul><li>" in first.description_html


def test_lever_2015_grouped_response_gives_the_same_28_postings() -> None:
    flat = parse(LeverAdapter, "lever/postings_leverdemo_mode-json_2015.json", site="leverdemo")
    grouped = parse(LeverAdapter, "lever/postings_group-location_2015.json", site="leverdemo")
    assert len(grouped) == 28
    assert sorted(p.guid or "" for p in grouped) == sorted(p.guid or "" for p in flat)


def test_lever_single_posting_document_is_not_a_postings_list() -> None:
    with pytest.raises(SourceError, match=r"^lever: expected a list at \$, got an object$"):
        parse(LeverAdapter, "lever/posting_single_leverdemo_2015.json", site="leverdemo")


def test_lever_real_not_found_body_gives_the_unknown_site_error(server: LocalServer) -> None:
    body = payload("lever/error_404_invalid_account_2015.json")
    server.route("/v0/postings/invalidaccount", Reply(status=404, body=body))
    adapter = make(LeverAdapter, site="invalidaccount", api_base=server.url())
    assert str(fetch_error(adapter)).startswith("lever: unknown site 'invalidaccount'")


# Remote OK


def test_remoteok_2024_feed_gives_97_remote_postings_with_title_company_and_url() -> None:
    """99 elements: the legal notice, 97 jobs and one blank placeholder (no position, no
    company); the issue's "99 postings" counts the elements."""
    body = payload("remoteok/api_2024-12-04_full.json")
    assert len(json.loads(body)) == 99
    postings = parse(RemoteOkAdapter, "remoteok/api_2024-12-04_full.json")
    assert len(postings) == 97
    for posting in postings:
        assert posting.title
        assert posting.company
        assert posting.url
        assert posting.url.startswith("https://")
        assert posting.remote is True
        assert "Please mention the word" not in (posting.description_html or "")
    assert sum(p.pay_min is not None for p in postings) == 83
    assert postings[0].title == "Senior Backend Golang Engineer Mailgun Send"
    assert (postings[0].pay_min, postings[0].pay_max) == (70000.0, 110000.0)
    assert postings[0].posted_at == datetime(2024, 12, 3, 21, 15, 4, tzinfo=UTC)


def test_remoteok_2024_feed_normalizes_to_clean_text() -> None:
    raws = parse(RemoteOkAdapter, "remoteok/api_2024-12-04_full.json")
    postings = normalize_all(raws, source="remoteok", now=NOW)
    assert len(postings) == 97
    # Two jobs link to the employer's own form; the rest to their page on Remote OK.
    on_remoteok = [
        p for p in postings if str(p.url).startswith("https://remoteok.com/remote-jobs/")
    ]
    assert len(on_remoteok) == 95
    assert not [p.title for p in postings if "\u00e2\u0080" in p.description]  # mojibake
    assert not [p.title for p in postings if "\\n" in p.description]
    assert not [p.title for p in postings if "beta feature to avoid spam" in p.description]
    assert {"São Paulo", "São Paulo, SP"} <= {p.location for p in postings}


@pytest.mark.parametrize("name", ["api_2021-03_3jobs.json", "api_2021-04_anonymized.json"])
def test_remoteok_2021_feeds_with_string_epochs_give_three_postings(name: str) -> None:
    postings = parse(RemoteOkAdapter, f"remoteok/{name}")
    assert len(postings) == 3
    for posting in postings:
        assert posting.title
        assert posting.company
        assert posting.url
        assert posting.posted_at is not None
        assert posting.posted_at.year == 2021
        assert (posting.pay_min, posting.pay_max) == (None, None)  # no salary keys in 2021


def test_remoteok_legal_notice_only_gives_no_postings_and_no_error() -> None:
    assert parse(RemoteOkAdapter, "remoteok/api_legal_only_no_jobs.json") == []
