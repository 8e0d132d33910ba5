"""The ZipRecruiter alert parser: opaque tracker links, identity by title, company, place."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.ziprecruiter import identity
from aggregator.normalize.postings import normalize
from tests.adapters.mail.alert_support import assert_no_chrome, card, fixture, text_only

ALERT = "ziprecruiter_alert.eml"
SENT = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
EKM = "https://www.ziprecruiter.com/ekm/"
JID_URL = (
    "https://www.ziprecruiter.com/c/Greenleaf-Analytics/Job/Junior-Data-Analyst/-in-Denver,CO"
    "?jid=6f1e2d3c4b5a6978"
)
CARDS = [
    (
        "Marketing Intern",
        f"{EKM}AAAC9zLTQyMWFkOGVlZWRmYzBhZjRiYmE1Y2YxMzc2ZjE5Y2Y4"
        "?utm_source=zr-alert&utm_medium=email&lvk=Xk2",
        identity("Marketing Intern", "BrightPath Media", "Austin, TX"),
        "BrightPath Media",
        "Austin, TX",
        "$18 - $22 an hour",
    ),
    (
        "Sales Development Representative",
        "https://click.ziprecruiter.com/f/a/ZmFrZS1jbGljay10b2tlbi0y~~/AAAHah4~/RgRnT1aXP0Q?e=c2Ft",
        identity("Sales Development Representative", "Harbor & Finch LLC", "Remote"),
        "Harbor & Finch LLC",
        "Remote",
        "$45,000 - $55,000 a year",
    ),
    (
        "Junior Data Analyst",
        JID_URL,
        identity("Junior Data Analyst", "Greenleaf Analytics", "Denver, CO"),
        "Greenleaf Analytics",
        "Denver, CO",
        None,
    ),
]


def test_cards_of_the_html_part() -> None:
    name, postings = parse_message(fixture(ALERT))
    assert name == "ziprecruiter"
    assert [card(p) for p in postings] == CARDS
    assert all(p.posted_at == SENT for p in postings)
    assert all(p.extra == {"via": "ziprecruiter alert e-mail"} for p in postings)
    # "1-Click Apply" buttons, "See more jobs" and the footer go through the same trackers.
    assert_no_chrome(postings)
    assert all("Apply" not in p.title and "jobs" not in p.title for p in postings)


def test_identity_survives_new_tracker_links() -> None:
    """The text part has other tracker tokens, as the next alert would: same guids, and so the
    same dedup keys, although the links differ."""
    _, html_postings = parse_message(fixture(ALERT))
    _, text_postings = parse_message(text_only(fixture(ALERT)))
    assert [p.guid for p in text_postings] == [p.guid for p in html_postings]
    assert text_postings[0].url != html_postings[0].url
    keys = {normalize(p, source="mail", now=SENT).dedup_key for p in html_postings + text_postings}
    assert keys == {f"guid:{p.guid}" for p in html_postings}


def test_identity_folds_case_markup_and_spaces_only() -> None:
    base = identity("Marketing Intern", "BrightPath Media", "Austin, TX")
    assert identity("  marketing   INTERN ", "<b>BrightPath</b> Media", "austin, tx") == base
    assert identity("Marketing Intern", "BrightPath Media", "Dallas, TX") != base
    assert identity("Marketing Intern", "Other Media", "Austin, TX") != base
    assert base.startswith("ziprecruiter:")
    assert len(base) == len("ziprecruiter:") + 32


def test_normalized_pay() -> None:
    _, postings = parse_message(fixture(ALERT))
    jobs = [normalize(p, source="mail", now=SENT).job for p in postings]
    assert (jobs[0].pay_min, jobs[0].pay_max, jobs[0].pay_period) == (18.0, 22.0, "hour")
    assert (jobs[1].pay_min, jobs[1].pay_max, jobs[1].pay_period) == (45_000.0, 55_000.0, "year")
    assert jobs[1].remote == "yes"
