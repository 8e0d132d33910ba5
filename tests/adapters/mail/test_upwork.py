"""The Upwork alert parser: `~<id>` job links, hourly and fixed-price pay, gigs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.upwork import job_id
from aggregator.normalize.postings import normalize
from tests.adapters.mail.alert_support import assert_no_chrome, fixture, identity, text_only

ALERT = "upwork_alert.eml"
SENT = datetime(2026, 12, 1, 11, 45, 30, tzinfo=UTC)
JOBS = [
    (
        "Build a Django REST API for inventory tracking",
        "https://www.upwork.com/jobs/~01a2b3c4d5e6f7a8b9",
        "upwork:01a2b3c4d5e6f7a8b9",
    ),
    (
        "Logo design for neighbourhood bakery",
        "https://www.upwork.com/jobs/~02c3d4e5f6a7b8c9d0",
        "upwork:02c3d4e5f6a7b8c9d0",
    ),
    (
        "Translate product FAQ (English → Spanish)",
        "https://www.upwork.com/jobs/~01ffeeddccbbaa9988",
        "upwork:01ffeeddccbbaa9988",
    ),
]
PAY = [
    (30.0, 50.0, "USD", "hour", "Hourly: $30.00 - $50.00"),
    (500.0, 500.0, "USD", "project", "Fixed-price: $500"),
    (120.0, 120.0, "USD", "project", "Budget: $120"),
]


def _pay(message: bytes) -> list[tuple[object, ...]]:
    _, postings = parse_message(message)
    return [(p.pay_min, p.pay_max, p.currency, p.pay_period, p.pay_text) for p in postings]


def test_cards_of_the_html_part() -> None:
    name, postings = parse_message(fixture(ALERT))
    assert name == "upwork"
    assert [identity(p) for p in postings] == JOBS
    assert _pay(fixture(ALERT)) == PAY
    assert all(p.company is None and p.location is None for p in postings)
    assert all(p.employment_type == "gig" and p.remote is True for p in postings)
    assert [p.duration_text for p in postings] == ["1 to 3 months", None, None]
    assert all(p.posted_at == SENT for p in postings)
    assert all(p.extra == {"via": "upwork alert e-mail"} for p in postings)
    assert_no_chrome(postings)


def test_the_text_part_alone_gives_the_same_cards() -> None:
    _, postings = parse_message(text_only(fixture(ALERT)))
    assert [identity(p) for p in postings] == JOBS
    assert _pay(text_only(fixture(ALERT))) == PAY


def test_normalized_job_fields() -> None:
    _, postings = parse_message(fixture(ALERT))
    jobs = [normalize(p, source="mail", now=SENT).job for p in postings]
    assert [(j.pay_min, j.pay_max, j.pay_period) for j in jobs] == [p[:2] + p[3:4] for p in PAY]
    assert {j.employment_type for j in jobs} == {"gig"}
    assert {j.remote for j in jobs} == {"yes"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.upwork.com/jobs/~01a2b3c4d5e6f7a8b9?source=rss", "01a2b3c4d5e6f7a8b9"),
        ("https://www.upwork.com/job/Some-title_~01ABCDEF12345678/", "01abcdef12345678"),
        (
            "https://www.upwork.com/freelance-jobs/apply/Logo-design_~02c3d4e5f6a7b8c9/",
            "02c3d4e5f6a7b8c9",
        ),
        ("https://www.upwork.com/nx/search/jobs/?q=python", None),
        ("https://www.upwork.com/ab/notification-settings/", None),
        ("https://upwork.com.evil.example/jobs/~01a2b3c4d5e6f7a8b9", None),
    ],
)
def test_job_ids(url: str, expected: str | None) -> None:
    assert job_id(url) == expected
