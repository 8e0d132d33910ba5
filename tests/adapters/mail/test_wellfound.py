"""The Wellfound alert parser: `/jobs/<id>-<slug>` links, salary and equity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.wellfound import job_id
from aggregator.normalize.postings import normalize
from tests.adapters.mail.alert_support import assert_no_chrome, card, fixture, text_only

ALERT = "wellfound_alert.eml"
SENT = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
CARDS = [
    (
        "Founding Frontend Engineer",
        "https://wellfound.com/jobs/2948123",
        "wellfound:2948123",
        "Lumen Health",
        "Remote (US)",
        "$80k – $100k",
    ),
    (
        "Machine Learning Intern",
        "https://wellfound.com/jobs/3011777",
        "wellfound:3011777",
        "Cobalt AI",
        "Boston, MA",
        "$40k – $50k",
    ),
]


def test_cards_of_the_html_part() -> None:
    name, postings = parse_message(fixture(ALERT))
    assert name == "wellfound"
    assert [card(p) for p in postings] == CARDS
    assert [p.employment_type for p in postings] == ["Full-time", "Internship"]
    # Equity has no field of its own: it stays in the description.
    assert "0.1% – 0.5%" in (postings[0].description_html or "")
    assert all(p.posted_at == SENT for p in postings)
    assert all(p.extra == {"via": "wellfound alert e-mail"} for p in postings)
    assert_no_chrome(postings)


def test_the_text_part_alone_gives_the_same_cards() -> None:
    _, postings = parse_message(text_only(fixture(ALERT)))
    assert [card(p) for p in postings] == CARDS


def test_normalized_salary() -> None:
    _, postings = parse_message(fixture(ALERT))
    job = normalize(postings[0], source="mail", now=SENT).job
    assert (job.pay_min, job.pay_max, job.currency, job.pay_period) == (
        80_000.0,
        100_000.0,
        "USD",
        "year",
    )
    assert job.remote == "yes"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://wellfound.com/jobs/2948123-founding-frontend-engineer?utm_source=x", "2948123"),
        ("https://wellfound.com/company/cobalt-ai/jobs/3011777-ml-intern", "3011777"),
        ("https://angel.co/company/cobalt-ai/jobs/55-x", "55"),
        ("https://wellfound.com/company/cobalt-ai", None),
        ("https://wellfound.com/jobs", None),
        ("https://wellfound.com/settings/notifications", None),
    ],
)
def test_job_ids(url: str, expected: str | None) -> None:
    assert job_id(url) == expected
