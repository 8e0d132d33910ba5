"""The Parker Dewey alert parser: micro-internship projects with fee, hours and deadline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.parkerdewey import project_id
from aggregator.normalize.postings import normalize
from tests.adapters.mail.alert_support import assert_no_chrome, card, fixture, text_only

ALERT = "parkerdewey_alert.eml"
SENT = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
CARDS = [
    (
        "Market Research Micro-Internship",
        "https://www.parkerdewey.com/micro-internships/projects/48213",
        "parkerdewey:48213",
        "Bluefin Capital Partners",
        "Remote",
        "$500",
    ),
    (
        "Social Media Content Calendar",
        "https://app.parkerdewey.com/projects/48377",
        "parkerdewey:48377",
        "Oak & Ivy Studio",
        "Remote",
        "$300",
    ),
]


def test_cards_of_the_html_part() -> None:
    name, postings = parse_message(fixture(ALERT))
    assert name == "parkerdewey"
    assert [card(p) for p in postings] == CARDS
    first = postings[0]
    assert (first.pay_min, first.pay_max, first.currency, first.pay_period) == (
        500.0,
        500.0,
        "USD",
        "project",
    )
    assert [p.duration_text for p in postings] == ["10-20 hours", "8 hours"]
    assert [p.deadline for p in postings] == ["Dec 15, 2026", "Dec 10, 2026"]
    assert all(p.employment_type == "micro-internship" and p.remote is True for p in postings)
    assert all(p.posted_at == SENT for p in postings)
    assert all(p.extra == {"via": "parkerdewey alert e-mail"} for p in postings)
    assert_no_chrome(postings)


def test_the_text_part_alone_gives_the_same_cards() -> None:
    _, postings = parse_message(text_only(fixture(ALERT)))
    assert [card(p) for p in postings] == CARDS
    assert [p.deadline for p in postings] == ["Dec 15, 2026", "Dec 10, 2026"]


def test_normalized_job_fields() -> None:
    _, postings = parse_message(fixture(ALERT))
    job = normalize(postings[0], source="mail", now=SENT).job
    assert job.employment_type == "micro-internship"
    assert (job.pay_min, job.pay_max, job.pay_period) == (500.0, 500.0, "project")
    assert (job.duration_min_hours, job.duration_max_hours) == (10.0, 20.0)
    assert job.deadline is not None
    assert job.deadline.date().isoformat() == "2026-12-15"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.parkerdewey.com/micro-internships/projects/48213?utm_source=x", "48213"),
        ("https://app.parkerdewey.com/projects/abc-123/", "abc-123"),
        ("https://www.parkerdewey.com/micro-internships/browse", None),
        ("https://app.parkerdewey.com/projects/search", None),
        ("https://example.com/projects/48213", None),
    ],
)
def test_project_ids(url: str, expected: str | None) -> None:
    assert project_id(url) == expected
