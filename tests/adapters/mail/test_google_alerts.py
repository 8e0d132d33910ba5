"""The Google Alerts parser: result links unwrapped to their destination, Google's own links
(feedback, settings, more results, sharing) left out."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from aggregator.adapters.mail.message import read_message
from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.google_alerts import GoogleAlertsParser, result_url
from tests.adapters.mail.conftest import eml

EXPECTED = [
    (
        "https://news.example.com/2026/07/students-paid-micro-internships",
        "Students turn to paid micro-internships this summer",
        "Short, paid projects let students try a field before graduation …",
        {"via": "google_alerts alert e-mail", "publisher": "Example News"},
    ),
    (
        "https://jobs.example.edu/postings/4821",
        "Campus micro-internship program opens applications",
        "The career center invites applications for its autumn cohort.",
        {"via": "google_alerts alert e-mail", "publisher": "Example University"},
    ),
]


def test_html_results_with_title_snippet_and_publisher() -> None:
    name, postings = parse_message(eml("google_alerts.eml"))
    assert name == "google_alerts"
    assert [(p.url, p.title, p.description_html, p.extra) for p in postings] == EXPECTED
    assert all(p.guid is None and p.company is None for p in postings)
    assert postings[0].posted_at == datetime(2026, 7, 24, 0, 45, tzinfo=UTC)


def test_text_results_when_there_is_no_html_part() -> None:
    name, postings = parse_message(eml("google_alerts_text.eml"))
    assert name == "google_alerts"
    expected = [
        (url, title, snippet.replace("…", "..."), extra) for url, title, snippet, extra in EXPECTED
    ]
    assert [(p.url, p.title, p.description_html, p.extra) for p in postings] == expected


def test_result_urls_are_unwrapped_and_google_links_refused() -> None:
    assert (
        result_url(
            "https://www.google.com/url?rct=j&sa=t&url=https://a.example/x%3Fid%3D1%26utm_source%3Dg&ct=ga"
        )
        == "https://a.example/x?id=1"
    )
    assert result_url("https://www.google.com/alerts/feedback?ffu=https://a.example/x") is None
    assert (
        result_url("https://www.google.com/url?url=https://www.google.com/search%3Fq%3Dx") is None
    )
    assert result_url("https://www.google.com/url?url=javascript:alert(1)") is None
    assert result_url("https://evil.example/url?url=https://a.example/x") is None


def test_a_message_without_results_gives_none() -> None:
    message = dataclasses.replace(
        read_message(eml("google_alerts.eml")),
        html='<a href="https://www.google.com/alerts/edit?s=1">Edit this alert</a>',
        text=None,
    )
    assert GoogleAlertsParser().parse(message) == []
