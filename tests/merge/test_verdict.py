"""compare: same ATS job, content identity, the hard negatives, reposts; Identity round trips."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aggregator.merge import Identity, compare, identity_of
from aggregator.models import JobDetails, Posting

T = datetime(2025, 5, 1, tzinfo=UTC)
TEXT = (
    "Quokka Freight routes parcels for small shops. You will build the Go services that price "
    "each route, own the Postgres schema and keep the latency budget of the routing API."
)


def posting(
    title: str = "Senior Backend Engineer",
    *,
    company: str | None = "Quokka Freight Inc.",
    location: str | None = "Munich, Germany",
    url: str | None = "https://boards.greenhouse.io/quokka/jobs/4012345",
    text: str = TEXT,
    days: float = 0,
    key: str = "guid:1",
) -> Posting:
    return Posting(
        source="s", dedup_key=key, title=title, url=url, external_id=None, company=company,
        location=location, description=text, description_html=None, tags=(),
        posted_at=T + timedelta(days=days), first_seen_at=T + timedelta(days=days),
        job=JobDetails(),
    )  # fmt: skip


def verdict(new: Posting, old: Posting):  # type: ignore[no-untyped-def]
    return compare(identity_of(new), identity_of(old))


def test_same_ats_job_behind_two_urls() -> None:
    careers = posting(
        url="https://quokka.example/careers?gh_jid=4012345&utm_source=x", company="Quokka"
    )
    result = verdict(careers, posting())
    assert result.same
    assert result.score == 1.0
    assert result.reason == "same Greenhouse job quokka/4012345"


def test_content_identity_with_a_reason() -> None:
    board = posting("Sr. Backend Engineer", company="Quokka Freight", location="München", url=None)
    result = verdict(board, posting())
    assert result.same
    assert result.reason == "title+company+place, text 1.00"


def test_hard_negatives() -> None:
    other_url = "https://boards.greenhouse.io/quokka/jobs/4099999"
    assert not verdict(posting(location="Vienna", url=None), posting()).same
    assert not verdict(posting("Backend Engineer", url=None), posting()).same
    assert not verdict(
        posting(location="Remote - US", url=None), posting(location="Remote - EU")
    ).same
    a = posting("Data Analyst, Marketing", url=None)
    assert not verdict(a, posting("Data Analyst, Finance")).same
    assert not verdict(posting(url=other_url, days=5), posting()).same  # another requisition
    assert not verdict(posting(company="Wombat Logistics", url=None), posting()).same


def test_same_text_90_days_later_is_a_repost() -> None:
    later = posting(url="https://boards.greenhouse.io/quokka/jobs/4099999", days=90)
    result = verdict(later, posting())
    assert not result.same
    assert result.repost
    assert "90 days later" in result.reason


def test_unknown_place_needs_a_strong_text() -> None:
    assert verdict(posting(location=None, url=None), posting()).same
    other = (
        "Quokka Freight routes parcels. You will run the warehouse floor team and its shift plans."
    )
    assert not verdict(posting(location=None, url=None, text=other), posting()).same


def test_companyless_post_needs_the_company_named() -> None:
    toot = posting("Senior Backend Engineer (Munich)", company=None, location=None, url=None,
                   text="We at Quokka Freight build routing services and need help.")  # fmt: skip
    assert verdict(toot, posting()).same
    anonymous = replace(toot, description="Looking for someone great to build routing services.")
    assert not verdict(anonymous, posting()).same


def test_a_post_linking_several_jobs_is_none_of_them_by_id() -> None:
    links = " ".join(f"https://boards.greenhouse.io/quokka/jobs/40{i}2345" for i in range(3))
    digest_post = posting("Jobs at Quokka", url=None, text=f"Open roles: {links}")
    assert not verdict(digest_post, posting()).same


def test_identity_json_round_trip_is_bounded_and_tolerant() -> None:
    huge = posting(title="T" * 1000, company="C" * 1000, location="L" * 1000, text="word " * 20_000)
    identity = identity_of(huge)
    data = identity.to_json()
    assert len(json.dumps(data)) < 4096
    assert Identity.from_json(json.loads(json.dumps(data))) == identity
    minimal = {"posted_at": T.isoformat(), "title": "x"}
    assert Identity.from_json(minimal).digest == ""
    keys = identity.keys()
    assert all(len(key) <= 255 for key in keys)


def test_keys_share_one_for_true_duplicates() -> None:
    a = identity_of(posting())
    b = identity_of(
        posting("Sr. Backend Engineer", company="Quokka Freight", location="München", url=None)
    )
    assert set(a.keys()) & set(b.keys())
