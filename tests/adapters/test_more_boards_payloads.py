"""Adzuna on its real payload from ../shared/payloads (skipped when the folder is absent)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from aggregator.adapters.catalogue import resolve
from aggregator.config.model import SourceConfig
from aggregator.models import Posting, RawPosting
from aggregator.normalize.postings import normalize_all
from tests.support.shared import PAYLOADS

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ADZUNA_GB = PAYLOADS / "adzuna" / "search_gb_it-jobs_london_2025-08.json"
KEYS = {"app_id": "payload-id", "app_key": "payload-key", "country": "gb"}


@pytest.fixture(scope="module")
def raws() -> list[RawPosting]:
    if not ADZUNA_GB.exists():
        pytest.skip(f"no real payload at {ADZUNA_GB}")
    resolved = resolve(SourceConfig(name="adzuna", adapter="adzuna", options=KEYS))
    adapter = resolved.adapter(resolved.config)
    return adapter.parse(
        ADZUNA_GB.read_bytes(), url="https://api.adzuna.com/v1/api/jobs/gb/search/1"
    )


@pytest.fixture(scope="module")
def postings(raws: list[RawPosting]) -> list[Posting]:
    return normalize_all(raws, source="adzuna", now=NOW)


def test_adzuna_gives_50_distinct_postings_with_title_company_link_and_date(
    raws: list[RawPosting], postings: list[Posting]
) -> None:
    assert len(raws) == 50
    assert len(postings) == 50  # ids are distinct: nothing is folded away as a duplicate
    for raw in raws:
        assert all((raw.title, raw.company, raw.location)), raw
        assert str(raw.url).startswith("https://www.adzuna.co.uk/jobs/"), raw
        assert f"/{raw.guid}?" in str(raw.url), raw
        assert raw.posted_at is not None, raw
        assert raw.posted_at.utcoffset() is not None, raw
    first = raws[0]
    assert (first.guid, first.company, first.location) == ("5346670339", "Dept", "London, UK")
    assert first.posted_at == datetime(2025, 8, 10, 11, 13, 4, tzinfo=UTC)


def test_adzuna_links_lose_their_tracking_parameters(postings: list[Posting]) -> None:
    kinds = Counter(str(p.url).split("/")[4] for p in postings)

    assert kinds == {"details": 32, "land": 18}  # ads on partner sites go through /jobs/land/ad/
    assert postings[0].url == "https://www.adzuna.co.uk/jobs/details/5346670339"
    assert not [p.url for p in postings if "utm_" in str(p.url)]


def test_adzuna_salaries_are_annual_gbp_and_estimates_are_marked(
    raws: list[RawPosting], postings: list[Posting]
) -> None:
    assert Counter(raw.extra["salary_is_predicted"] for raw in raws) == {True: 26, False: 24}
    assert all(p.job.pay_min and p.job.currency == "GBP" for p in postings)
    assert {p.job.pay_period for p in postings} == {"year"}
    assert (postings[0].job.pay_min, postings[0].job.pay_max) == (44493.92, 44493.92)


def test_adzuna_contract_type_and_time_give_the_employment_type(postings: list[Posting]) -> None:
    kinds = Counter(p.job.employment_type for p in postings)

    assert kinds == {"full-time": 30, "contract": 9, None: 11}
