"""The json_api boards (Remotive, Arbeitnow, Jobicy) on real payloads from ../shared/payloads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.adapters.catalogue import resolve
from aggregator.config.model import SourceConfig
from aggregator.models import RawPosting
from aggregator.normalize.postings import normalize_all
from tests.support.shared import PAYLOADS

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def parse_payload(board: str, file: str) -> list[RawPosting]:
    path = PAYLOADS / board / file
    if not path.exists():
        pytest.skip(f"no real payload at {path}")
    resolved = resolve(SourceConfig(name=board, adapter=board))
    adapter = resolved.adapter(resolved.config)
    return adapter.parse(path.read_bytes(), url=str(resolved.config.url))


def assert_complete(postings: list[RawPosting], host: str) -> None:
    for posting in postings:
        assert posting.title, posting
        assert posting.company, posting
        assert posting.guid, posting
        assert str(posting.url).startswith(f"https://{host}/"), posting
        assert posting.posted_at is not None, posting
        assert posting.posted_at.tzinfo is UTC, posting
    assert len({p.guid for p in postings}) == len(postings)
    assert len(normalize_all(postings, source="real", now=NOW)) == len(postings)


def test_remotive_gives_42_remote_postings_with_salary_text_where_the_board_has_one() -> None:
    postings = parse_payload("remotive", "api_remote-jobs_2026-07.json")

    assert len(postings) == 42
    assert_complete(postings, "remotive.com")
    assert all(p.remote is True for p in postings)
    assert sum(1 for p in postings if p.pay_text) == 33
    first = postings[0]
    assert (first.title, first.company, first.location) == (
        "Patient Care Specialist",
        "STATLINX",
        "USA",
    )
    assert (first.pay_text, first.employment_type) == ("$36k", "full_time")
    assert first.posted_at == datetime(2026, 7, 16, 13, 28, 2, tzinfo=UTC)
    assert first.tags == ("research", "insurance")


def test_arbeitnow_gives_100_postings_with_epoch_dates_and_its_own_remote_flag() -> None:
    postings = parse_payload("arbeitnow", "job-board-api_page1_data-only_2026-02.json")

    assert len(postings) == 100
    assert_complete(postings, "www.arbeitnow.com")
    assert sum(1 for p in postings if p.remote is True) == 14
    assert all(isinstance(p.remote, bool) for p in postings)
    first = postings[0]
    assert first.guid == "recruiting-partner-projektbasis-remote-wutoschingen-469876"
    assert (first.company, first.location) == ("Global Treats GmbH", "Wutöschingen")
    assert first.posted_at == datetime(2026, 2, 15, 13, 31, 25, tzinfo=UTC)
    assert first.tags == ("Remote", "Directors", "Chief Executives")


@pytest.mark.parametrize(
    ("file", "count", "with_salary"),
    [
        ("api_v2_geo-canada_2024-12-08.json", 15, 3),
        ("api_v2_geo-usa_industry-marketing_tag-seo_2024-12-05.json", 8, 4),
        ("api_v2_tag-python_2024-12-08.json", 20, 8),
    ],
)
def test_jobicy_gives_remote_postings_with_annual_salaries_where_given(
    file: str, count: int, with_salary: int
) -> None:
    postings = parse_payload("jobicy", file)

    assert len(postings) == count
    assert_complete(postings, "jobicy.com")
    assert all(p.remote is True for p in postings)
    paid = [p for p in postings if p.pay_min is not None]
    assert len(paid) == with_salary
    assert all(p.pay_max is not None and p.currency for p in paid)
    assert all("&amp;" not in tag for p in postings for tag in p.tags)


def test_jobicy_reads_naive_publication_times_as_utc() -> None:
    [first, *_] = parse_payload("jobicy", "api_v2_tag-python_2024-12-08.json")

    assert (first.title, first.company) == ("Senior Site Reliability Engineer", "Dynatrace")
    assert first.posted_at == datetime(2024, 12, 7, 4, 10, 26, tzinfo=UTC)
    assert (first.location, first.employment_type) == ("Anywhere", "full-time")
