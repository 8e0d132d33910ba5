"""Board URLs recognised offline (`sources add`): every form, its variants, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest

from aggregator.adapters.catalogue import check_source, known_adapter_names
from aggregator.adapters.recognise import (
    BadBoardUrlError,
    normalise_url,
    recognise_url,
    slug,
    source_key,
)

GH = {"adapter": "greenhouse", "options": {"board": "acme"}}
LEVER = {"adapter": "lever", "options": {"site": "acme"}}
LEVER_EU = {"adapter": "lever", "options": {"site": "acme", "region": "eu"}}
ASHBY = {"adapter": "ashby", "options": {"board": "acme"}}
WORKABLE = {"adapter": "workable", "options": {"board": "acme"}}
RECRUITEE = {"adapter": "recruitee", "options": {"board": "acme"}}
SMART = {"adapter": "smartrecruiters", "options": {"board": "Acme1"}}
TEAMTAILOR = {"adapter": "teamtailor", "url": "https://acme.teamtailor.com"}
WORKDAY = {"adapter": "workday", "url": "https://acme.wd5.myworkdayjobs.com/External"}
PERSONIO = {"adapter": "personio", "options": {"company": "acme"}}
PERSONIO_COM = {"adapter": "personio", "options": {"company": "acme", "host": "jobs.personio.com"}}

CASES: list[tuple[str, dict[str, Any]]] = [
    ("https://boards.greenhouse.io/acme", GH),
    ("boards.greenhouse.io/acme", GH),
    ("http://boards.greenhouse.io/acme/", GH),
    ("https://boards.greenhouse.io/acme/jobs/4012345?gh_src=abc", GH),
    ("https://job-boards.greenhouse.io/acme", GH),
    ("job-boards.greenhouse.io/acme/jobs/123", GH),
    ("https://boards.greenhouse.io/embed/job_board?for=acme", GH),
    ("https://boards.greenhouse.io/embed/job_board/js?for=acme&b=https://x.test", GH),
    ("https://job-boards.greenhouse.io/embed/job_board?for=acme", GH),
    ("https://BOARDS.Greenhouse.IO/acme", GH),
    ("https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true", GH),
    ("https://jobs.lever.co/acme", LEVER),
    ("jobs.lever.co/acme/0f2a-4b6c-1234/apply", LEVER),
    ("https://jobs.lever.co/acme?team=Engineering", LEVER),
    ("https://jobs.eu.lever.co/acme", LEVER_EU),
    ("jobs.eu.lever.co/acme/abc-123/", LEVER_EU),
    ("https://api.lever.co/v0/postings/acme?mode=json", LEVER),
    ("https://api.eu.lever.co/v0/postings/acme", LEVER_EU),
    ("https://jobs.ashbyhq.com/acme", ASHBY),
    ("jobs.ashbyhq.com/acme/5d3c2b1a-0000-4000-8000-000000000000", ASHBY),
    ("https://jobs.ashbyhq.com/acme/embed?version=2", ASHBY),
    ("https://api.ashbyhq.com/posting-api/job-board/acme?includeCompensation=true", ASHBY),
    ("https://apply.workable.com/acme/", WORKABLE),
    ("apply.workable.com/acme/j/ABC123DEF/", WORKABLE),
    ("https://apply.workable.com/api/v1/widget/accounts/acme", WORKABLE),
    ("https://acme.recruitee.com/", RECRUITEE),
    ("acme.recruitee.com/o/data-intern", RECRUITEE),
    ("https://acme.teamtailor.com", TEAMTAILOR),
    ("acme.teamtailor.com/jobs/123-intern?ref=x", TEAMTAILOR),
    ("https://acme.wd5.myworkdayjobs.com/External", WORKDAY),
    ("https://acme.wd5.myworkdayjobs.com/en-US/External", WORKDAY),
    ("acme.wd5.myworkdayjobs.com/de-DE/External/job/Berlin/Intern_R-123", WORKDAY),
    ("https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/External/jobs", WORKDAY),
    ("https://acme.jobs.personio.de", PERSONIO),
    ("acme.jobs.personio.de/job/123456?language=en", PERSONIO),
    ("https://acme.jobs.personio.com/", PERSONIO_COM),
    ("https://jobs.smartrecruiters.com/Acme1", SMART),
    ("jobs.smartrecruiters.com/Acme1/743999-data-intern", SMART),
    ("https://careers.smartrecruiters.com/Acme1", SMART),
    ("https://api.smartrecruiters.com/v1/companies/Acme1/postings", SMART),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_each_board_form_gives_its_adapter_and_options(url: str, expected: dict[str, Any]) -> None:
    found = recognise_url(url)
    assert found is not None
    block = found.block("x")
    assert block == {"name": "x", **expected}
    assert list(block)[:2] == ["name", "adapter"]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_a_block_for_an_installed_adapter_passes_the_config_check(
    url: str, expected: dict[str, Any]
) -> None:
    if expected["adapter"] not in known_adapter_names():
        pytest.skip(f"the {expected['adapter']} adapter is not installed in this checkout")
    found = recognise_url(url)
    assert found is not None
    assert check_source(found.block("x")) == []


def test_the_lever_eu_form_is_read_back_in_region_eu_by_the_lever_adapter() -> None:
    found = recognise_url("jobs.eu.lever.co/acme")
    assert found is not None
    assert found.board_url == "https://jobs.eu.lever.co/acme"
    assert check_source({**found.block("x"), "options": {"site": "acme", "region": "mars"}})


@pytest.mark.parametrize(
    "url",
    [
        "https://www.acme.com/careers",
        "acme.com",
        "https://greenhouse.io/acme",  # the vendor's own site, not a board
        "https://lever.co/acme",
        "https://example.org/boards.greenhouse.io/acme",
        "https://boards.greenhouse.io.evil.test/acme",
        "https://notrecruitee.com/x",
    ],
)
def test_a_url_on_any_other_host_is_not_recognised(url: str) -> None:
    assert recognise_url(url) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://boards.greenhouse.io/acme", "not an http(s) URL"),
        ("mailto:jobs@acme.test", "not an http(s) URL"),
        ("https://", "not a URL"),
        ("https://boards.greenhouse.io/", "a Greenhouse URL names its board"),
        ("https://boards.greenhouse.io/embed/job_board", "a Greenhouse URL names its board"),
        ("https://boards.greenhouse.io/embed/job_board?for=a%20b", "'a b' is not a Greenhouse"),
        ("jobs.lever.co", "a Lever URL names its board: jobs.lever.co/<site>"),
        ("https://jobs.ashbyhq.com/", "a Ashby URL names its board"),
        ("https://apply.workable.com/j/ABC123", "a Workable job link names no account"),
        ("https://www.recruitee.com/", "is not a company's Recruitee board"),
        ("https://app.teamtailor.com/", "is not a company's Teamtailor board"),
        ("https://assets.teamtailor.com/logo.svg", "is not a company's Teamtailor board"),
        ("https://acme.wd5.myworkdayjobs.com/", "a Workday URL names its careers site"),
        ("https://acme.wd5.myworkdayjobs.com/en-US", "a Workday URL names its careers site"),
        ("https://jobs.smartrecruiters.com/", "a SmartRecruiters URL names its board"),
        ("https://boards.greenhouse.io/ac me", "not a URL"),
    ],
)
def test_a_board_host_without_a_board_is_refused_in_one_line(url: str, message: str) -> None:
    with pytest.raises(BadBoardUrlError) as refused:
        recognise_url(url)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_same_board_written_two_ways_has_one_key() -> None:
    first = recognise_url("https://boards.greenhouse.io/Acme/jobs/1")
    second = recognise_url("job-boards.greenhouse.io/embed/job_board?for=acme")
    assert first is not None
    assert second is not None
    assert first.key == second.key == ("greenhouse", "acme")


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ({"adapter": "greenhouse", "options": {"board": "ACME"}}, ("greenhouse", "acme")),
        ({"adapter": "lever", "options": {"site": "acme", "region": "eu"}}, ("lever", "acme")),
        ({"adapter": "personio", "options": {"company": "acme"}}, ("personio", "acme")),
        (
            {"adapter": "workday", "url": "https://acme.wd5.myworkdayjobs.com/en-US/External/"},
            ("workday", "https://acme.wd5.myworkdayjobs.com/External"),
        ),
        (
            {"adapter": "rss", "url": "HTTPS://Gigs.Example:443/feed.xml/"},
            ("rss", "https://gigs.example/feed.xml"),
        ),
        ({"adapter": "rss"}, None),
        ({"adapter": 3, "url": "https://x.test/"}, None),
        ({"adapter": "greenhouse", "options": "board"}, None),
    ],
)
def test_a_configured_item_has_the_key_of_what_it_reads(
    item: dict[str, Any], key: tuple[str, str] | None
) -> None:
    assert source_key(item) == key


def test_an_item_keyed_like_a_recognised_url_matches_it() -> None:
    found = recognise_url("https://acme.wd5.myworkdayjobs.com/fr-FR/External/job/x")
    assert found is not None
    item = {"adapter": "workday", "url": "https://acme.wd5.myworkdayjobs.com/External"}
    assert source_key(item) == found.key


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://x.test/a/", "https://x.test/a"),
        ("HTTP://X.Test:80/a?b=1", "http://x.test/a?b=1"),
        ("https://x.test:8443/a#frag", "https://x.test:8443/a"),
    ],
)
def test_normalise_url(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


@pytest.mark.parametrize(
    ("text", "made"),
    [("Acme Labs", "acme-labs"), ("Café & Co.", "caf-co"), ("---", "source"), ("x" * 80, "x" * 48)],
)
def test_slug_makes_a_valid_source_name(text: str, made: str) -> None:
    assert slug(text) == made
