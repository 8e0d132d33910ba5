"""The generic fallback parser (job-like links with their anchor text) and the hostile
messages every parser must survive: huge, link-flooded, scripted."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from aggregator.adapters.mail.message import MAX_PART_CHARS, read_message
from aggregator.adapters.mail.senders import parse_message, sender_parsers
from aggregator.adapters.mail.senders._common import MAX_POSTINGS
from aggregator.adapters.mail.senders.generic import GenericParser, looks_like_job
from aggregator.normalize.postings import normalize_all
from tests.adapters.mail.conftest import eml


def html_mail(body: str, sender: str = "news@board.example") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = "Opportunities"
    message["Date"] = "Fri, 24 Jul 2026 09:00:00 +0000"
    message.set_content(body, subtype="html")
    return bytes(message)


def test_the_four_parsers_are_registered_with_generic_last() -> None:
    names = [parser.name for parser in sender_parsers()]
    assert {"linkedin", "indeed", "google_alerts", "generic"} <= set(names)
    assert names[-1] == "generic"


def test_a_newsletter_gives_its_job_links_without_tracking() -> None:
    name, postings = parse_message(eml("generic_newsletter.eml"))
    assert name == "generic"
    assert [(p.title, p.url) for p in postings] == [
        (
            "Software Engineering Intern, Summer 2027",
            "https://boards.greenhouse.io/examplecorp/jobs/4012345",
        ),
        (
            "Operations Micro-internship",
            "https://jobs.lever.co/widgetco/1b2c3d4e-0000-4000-8000-000000000001",
        ),
        (
            "Research Assistant (10 hrs/week)",
            "https://www.example.org/careers/positions/research-assistant",
        ),
        ("Data Visualization Fellow", "https://jobs.ashbyhq.com/nimbus/5e6f7a8b"),  # unwrapped
    ]
    assert all(p.extra == {"via": "generic alert e-mail"} for p in postings)
    assert all(p.guid is None and p.posted_at is not None for p in postings)


def test_a_message_without_job_links_gives_nothing() -> None:
    assert parse_message(eml("generic_personal.eml")) == (None, [])


def test_job_ids_in_the_query_are_kept() -> None:
    _, postings = parse_message(
        html_mail(
            '<a href="https://acme.example/about?gh_jid=123&utm_source=x">Backend Developer</a>'
            '<a href="https://acme.example/about?gh_jid=124">Frontend Developer</a>'
        )
    )
    assert [p.url for p in postings] == [
        "https://acme.example/about?gh_jid=123",
        "https://acme.example/about?gh_jid=124",
    ]


def test_text_only_messages_take_the_text_before_the_link() -> None:
    message = EmailMessage()
    message["From"] = "club@students.example"
    message.set_content(
        "Paid gig: logo design https://gigs.example.com/jobs/77?utm_source=mail\n"
        "Tutoring intern\nhttps://tutors.example.com/careers/12\n"
        "Unsubscribe https://students.example/unsubscribe\n"
    )
    _, postings = parse_message(bytes(message))
    assert [(p.title, p.url) for p in postings] == [
        ("Paid gig: logo design", "https://gigs.example.com/jobs/77"),
        ("Tutoring intern", "https://tutors.example.com/careers/12"),
    ]


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        ("https://a.example/careers/42", "Barista", True),
        ("https://a.example/p/42", "Junior Analyst", True),
        ("https://a.example/p/42", "Our new cafe", False),
        ("https://apply.workable.com/acme/j/ABC123/", "Go", True),
        ("https://a.example/jobs/unsubscribe", "Stop", False),
        ("https://a.example/careers/support-engineer", "Support Engineer", True),
        ("https://a.example/support/ticket", "Support", False),
        ("https://a.example/jobs/banner.png", "Jobs", False),
        ("https://a.example/jobs/42", "Manage your alerts", False),
    ],
)
def test_job_like_links(url: str, text: str, expected: bool) -> None:
    assert looks_like_job(url, text) is expected


def test_script_in_anchor_text_stays_text_and_script_elements_are_dropped() -> None:
    _, postings = parse_message(
        html_mail(
            '<a href="https://a.example/jobs/1">&lt;script&gt;alert(1)&lt;/script&gt; Intern</a>'
            '<a href="https://a.example/jobs/2"><script>steal()</script>Designer</a>'
        )
    )
    assert [p.title for p in postings] == [
        "&lt;script&gt;alert(1)&lt;/script&gt; Intern",
        "Designer",
    ]
    normalized = normalize_all(postings, source="mail", now=datetime(2026, 8, 1, tzinfo=UTC))
    assert [p.title for p in normalized] == ["<script>alert(1)</script> Intern", "Designer"]


def test_javascript_data_and_mailto_links_are_ignored() -> None:
    _, postings = parse_message(
        html_mail(
            '<a href="javascript:alert(1)">Software Engineer job</a>'
            '<a href=" JaVaScRiPt:alert(1)">Data Analyst job</a>'
            '<a href="data:text/html,x">Designer job</a>'
            '<a href="mailto:jobs@a.example">Intern job</a>'
        )
    )
    assert postings == []


def test_ten_thousand_links_are_capped_quickly() -> None:
    links = "".join(f'<a href="https://a.example/jobs/{i}">Job {i}</a>' for i in range(10_000))
    started = time.monotonic()
    name, postings = parse_message(html_mail(links))
    assert name == "generic"
    assert len(postings) == MAX_POSTINGS
    assert postings[0].url == "https://a.example/jobs/0"
    assert time.monotonic() - started < 10


def test_ten_thousand_linkedin_job_links_are_capped() -> None:
    cards = "".join(
        f'<tr><td><a href="https://www.linkedin.com/comm/jobs/view/{3900000000 + i}/">Role {i}</a>'
        f"<p>Company {i}</p><p>Place {i}</p></td></tr>"
        for i in range(10_000)
    )
    started = time.monotonic()
    name, postings = parse_message(
        html_mail(f"<table>{cards}</table>", "jobalerts-noreply@linkedin.com")
    )
    assert name == "linkedin"
    assert len(postings) == MAX_POSTINGS
    assert (postings[1].title, postings[1].company, postings[1].location) == (
        "Role 1",
        "Company 1",
        "Place 1",
    )
    assert time.monotonic() - started < 20


def test_a_huge_message_is_bounded_and_parsed() -> None:
    padding = "<p>" + "filler text " * (MAX_PART_CHARS // 10) + "</p>"
    raw = html_mail('<a href="https://a.example/jobs/1">Ranger Intern</a>' + padding)
    assert len(raw) > MAX_PART_CHARS
    message = read_message(raw)
    assert message.html is not None
    assert len(message.html) <= MAX_PART_CHARS
    started = time.monotonic()
    assert [p.title for p in GenericParser().parse(message)] == ["Ranger Intern"]
    assert time.monotonic() - started < 20


def test_only_restricts_the_parsers_tried() -> None:
    assert parse_message(eml("linkedin_text.eml"), only=["generic"])[0] in ("generic", None)
    assert parse_message(eml("indeed.eml"), only=["linkedin"]) == (None, [])
