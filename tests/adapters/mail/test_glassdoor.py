"""The Glassdoor alert parser on an invented alert in the documented shape."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.glassdoor import job_id
from aggregator.normalize.postings import normalize
from tests.adapters.mail.alert_support import assert_no_chrome, card, fixture, text_only

ALERT = "glassdoor_alert.eml"
SENT = datetime(2026, 12, 1, 14, 5, 9, tzinfo=UTC)
NO_ID_URL = (
    "https://www.glassdoor.com/job-listing/"
    "ux-research-intern-example-design-co-JV_IC1132348_KO0,18_KE19,36.htm"
)
CARDS = [
    (
        "Software Engineering Intern",
        "https://www.glassdoor.com/job-listing/j?jl=1009876543210",
        "glassdoor:1009876543210",
        "Acme Robotics",
        "San Francisco, CA",
        "$38.00 - $45.00 Per Hour (Employer est.)",
    ),
    (
        "Data Science Intern",
        "https://www.glassdoor.com/job-listing/j?jl=1009123456789",
        "glassdoor:1009123456789",
        "Northwind Labs",
        "Remote",
        "$80K - $100K (Glassdoor est.)",
    ),
    (
        "<script>alert(1)</script> UX Research Intern",
        NO_ID_URL,
        None,
        "Example Design Co.",
        "New York, NY",
        None,
    ),
]


def test_cards_of_the_html_part() -> None:
    name, postings = parse_message(fixture(ALERT))
    assert name == "glassdoor"
    assert [card(p) for p in postings] == CARDS
    assert all(p.posted_at == SENT for p in postings)
    assert all(p.extra == {"via": "glassdoor alert e-mail"} for p in postings)
    assert_no_chrome(postings)


def test_the_text_part_alone_gives_the_same_cards() -> None:
    name, postings = parse_message(text_only(fixture(ALERT)))
    assert name == "glassdoor"
    assert [card(p) for p in postings] == CARDS


def test_salary_estimates_are_read_by_normalization() -> None:
    _, postings = parse_message(fixture(ALERT))
    now = datetime(2026, 12, 2, tzinfo=UTC)
    first, second = (normalize(p, source="mail", now=now).job for p in postings[:2])
    assert (first.pay_min, first.pay_max, first.pay_period) == (38.0, 45.0, "hour")
    assert (second.pay_min, second.pay_max, second.pay_period) == (80_000.0, 100_000.0, "year")
    # The card's age ("24h") is no duration of the job.
    assert first.duration is None


def test_a_card_without_id_is_keyed_on_its_link_without_tracking() -> None:
    _, postings = parse_message(fixture(ALERT))
    no_id = normalize(postings[2], source="mail", now=SENT)
    assert no_id.dedup_key == f"url:{NO_ID_URL}"


def test_listing_ids_of_each_link_form() -> None:
    assert job_id("https://www.glassdoor.com/partner/jobListing.htm?pos=1&jobListingId=42") == "42"
    assert job_id("https://www.glassdoor.com/job-listing/x-JV_KO0,1_KE2,3.htm?jl=77&ao=1") == "77"
    assert job_id("https://www.glassdoor.com/job-listing/x-JV_KO0,1_KE2,3.htm?jl=abc") is None
    assert job_id("https://www.glassdoor.com/Job/jobs.htm?sc.keyword=intern") is None
