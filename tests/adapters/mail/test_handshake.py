"""The Handshake alert parser: tracker-wrapped job links, employer, place, job type, pay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.handshake import job_id
from aggregator.normalize.postings import normalize
from tests.adapters.mail.alert_support import assert_no_chrome, card, fixture, text_only

ALERT = "handshake_alert.eml"
SENT = datetime(2026, 12, 1, 16, 12, 44, tzinfo=UTC)
CARDS = [
    (
        "Research Assistant Intern",
        "https://app.joinhandshake.com/jobs/9876543",
        "handshake:9876543",
        "Northwind Labs",
        "Chicago, IL",
        "$22–26/hr",
    ),
    (
        "Product Design Intern (Summer 2027)",
        "https://app.joinhandshake.com/jobs/8765432",
        "handshake:8765432",
        "Lumen Health",
        "Remote",
        "$30/hr",
    ),
    (
        "Library Student Assistant",
        "https://app.joinhandshake.com/jobs/7654321",
        "handshake:7654321",
        "University of Michigan Library",
        "Ann Arbor, MI",
        "$15.50/hr",
    ),
]


def test_cards_of_the_html_part() -> None:
    name, postings = parse_message(fixture(ALERT))
    assert name == "handshake"
    assert [card(p) for p in postings] == CARDS
    assert [p.employment_type for p in postings] == [
        "Internship",
        "Internship",
        "On-campus, Part-time",
    ]
    assert [p.remote for p in postings] == [None, None, False]
    assert all(p.posted_at == SENT for p in postings)
    assert all(p.extra == {"via": "handshake alert e-mail"} for p in postings)
    assert_no_chrome(postings)


def test_the_text_part_alone_gives_the_same_cards() -> None:
    _, postings = parse_message(text_only(fixture(ALERT)))
    assert [card(p) for p in postings] == CARDS


def test_normalized_job_fields() -> None:
    _, postings = parse_message(fixture(ALERT))
    jobs = [normalize(p, source="mail", now=SENT).job for p in postings]
    assert [j.employment_type for j in jobs] == ["internship", "internship", "part-time"]
    assert [j.remote for j in jobs] == ["unknown", "yes", "no"]
    assert [(j.pay_min, j.pay_max, j.pay_period) for j in jobs] == [
        (22.0, 26.0, "hour"),
        (30.0, 30.0, "hour"),
        (15.5, 15.5, "hour"),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.joinhandshake.com/jobs/123?ref=x", "123"),
        ("https://app.joinhandshake.com/stu/jobs/456", "456"),
        ("https://umich.joinhandshake.com/jobs/789/", "789"),
        ("https://app.joinhandshake.com/stu/postings?page=1", None),
        ("https://app.joinhandshake.com/stu/settings/notifications", None),
        ("https://joinhandshake.com.example.net/jobs/1", None),
    ],
)
def test_job_ids(url: str, expected: str | None) -> None:
    assert job_id(url) == expected
