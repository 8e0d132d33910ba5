"""Job details during normalization: structured fields first, then title, then description."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.models import RawPosting
from aggregator.normalize.postings import normalize

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def job_of(**fields: object) -> dict[str, object]:
    raw = RawPosting(**{"title": "Gig", **fields})  # type: ignore[arg-type]
    job = normalize(raw, source="s", now=NOW).job
    return {k: getattr(job, k) for k in job.__slots__}


def test_structured_pay_wins_over_pay_in_the_text() -> None:
    job = job_of(
        pay_min="40000",
        pay_max=50000,
        currency="eur",
        pay_period="YEAR",
        description_html="<p>$25/hr</p>",
    )
    assert (job["pay_min"], job["pay_max"], job["currency"], job["pay_period"]) == (
        40000,
        50000,
        "EUR",
        "year",
    )


def test_pay_text_then_title_then_description_are_searched_in_that_order() -> None:
    assert job_of(pay_text="$30/hr", title="Gig $20/hr")["pay_min"] == 30
    assert job_of(title="Gig $20/hr", description_html="<p>€15 per hour</p>")["pay_min"] == 20
    described = job_of(description_html="<p>Pays 20-30 USD per hour.</p>")
    assert (described["pay_min"], described["pay_max"], described["pay_period"]) == (20, 30, "hour")


def test_zero_pay_is_unknown() -> None:
    assert job_of(pay_min=0, pay_max=0, currency="USD")["pay_min"] is None


def test_employment_type_comes_from_the_hint_else_the_text() -> None:
    assert job_of(employment_type="FULL_TIME")["employment_type"] == "full-time"
    assert job_of(title="Data micro-internship")["employment_type"] == "micro-internship"
    assert job_of(description_html="A freelance gig")["employment_type"] == "gig"


def test_remote_comes_from_the_field_or_the_title_and_location_only() -> None:
    assert job_of(remote=True)["remote"] == "yes"
    assert job_of(location="Remote, Europe")["remote"] == "yes"
    assert job_of(description_html="<p>Remote work is not possible.</p>")["remote"] == "unknown"


def test_a_description_that_states_fully_remote_as_a_sentence_means_remote() -> None:
    gig = "<p>2 week gig, about 30 hours. Fully remote.</p>"
    assert job_of(description_html=gig)["remote"] == "yes"
    assert job_of(description_html="<p>Work from anywhere: 100% remote!</p>")["remote"] == "yes"
    assert job_of(description_html="<ul><li>This role is fully remote</li></ul>")["remote"] == "yes"
    # Only a statement of its own: a remote team or a negation says nothing about the job.
    for text in ("Not fully remote.", "Join our fully remote team.", "Fully remote? No."):
        assert job_of(description_html=f"<p>{text}</p>")["remote"] == "unknown", text
    # The field and the place still come first.
    assert job_of(location="Berlin (hybrid)", description_html=gig)["remote"] == "no"


def test_a_two_week_gig_of_about_30_hours_lasts_30_hours() -> None:
    job = job_of(description_html="<p>2 week gig, about 30 hours. Fully remote.</p>")
    assert (job["duration_min_hours"], job["duration_max_hours"]) == (30, 30)


def test_duration_and_deadline_are_parsed() -> None:
    job = job_of(description_html="<p>About 10-20 hrs of work.</p>", deadline="2026-12-01")
    assert (job["duration_min_hours"], job["duration_max_hours"]) == (10, 20)
    assert job["deadline"] == datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)
