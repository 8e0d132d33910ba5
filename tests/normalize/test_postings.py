"""Normalization tables: URLs, tags, dates, dedup keys, HTML to text, sanitizing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from aggregator.models import RawPosting
from aggregator.normalize.postings import (
    UNTITLED,
    canonical_url,
    normalize,
    normalize_all,
)
from aggregator.text import clean_line, html_to_text

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def posting(**fields: object) -> RawPosting:
    values: dict[str, object] = {"title": "Gig"} | fields
    return RawPosting(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://Jobs.Example.COM/Path/To?id=7&utm_source=x&utm_medium=y#apply",
            "https://jobs.example.com/Path/To?id=7",
        ),
        ("https://example.com/a?fbclid=abc&gclid=def&page=2", "https://example.com/a?page=2"),
        ("https://example.com/a?UTM_Campaign=z&msclkid=1", "https://example.com/a"),
        (
            "https://example.com/a?ref=board&source=rss",
            "https://example.com/a?ref=board&source=rss",
        ),
        ("https://example.com/a?q=a%20b&x=", "https://example.com/a?q=a%20b&x="),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://Example.com", "https://example.com/"),
        ("  https://example.com/padded  ", "https://example.com/padded"),
        ("https://[2001:DB8::1]/v6", "https://[2001:db8::1]/v6"),
        ("javascript:alert(1)", None),
        ("mailto:jobs@example.com", None),
        ("/relative/only", None),
        ("https://example.com:99999/", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url_table(url: str | None, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_tags_are_folded_merged_with_hashtags_and_unique_in_order() -> None:
    raw = posting(
        title="Gig #Remote",
        tags=("Micro Internship", "#Python", "python", "  "),
        description_html="<p>Great for #micro_internship fans. #Data-Science, C# and page#top</p>",
    )
    tags = normalize(raw, source="s", now=NOW).tags
    assert tags == ("microinternship", "python", "remote", "datascience")


@pytest.mark.parametrize(
    ("posted_at", "expected"),
    [
        (datetime(2025, 1, 1, 12, 0), datetime(2025, 1, 1, 12, 0, tzinfo=UTC)),
        (
            datetime(2025, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2025, 1, 1, 10, 0, tzinfo=UTC),
        ),
        (NOW + timedelta(hours=12), NOW + timedelta(hours=12)),
        (NOW + timedelta(days=2), NOW),
        (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), NOW),
        (datetime(1970, 1, 1), NOW),
        (None, NOW),
    ],
    ids=[
        "naive-is-utc",
        "aware-converted",
        "slightly-ahead",
        "future",
        "pre-2000",
        "epoch",
        "none",
    ],
)
def test_posted_at_table(posted_at: datetime | None, expected: datetime) -> None:
    result = normalize(posting(posted_at=posted_at), source="s", now=NOW)
    assert result.posted_at == expected
    assert result.posted_at.tzinfo is UTC
    assert result.first_seen_at == NOW


def test_a_naive_now_is_taken_as_utc() -> None:
    result = normalize(posting(), source="s", now=datetime(2025, 3, 1, 12, 0))
    assert result.first_seen_at == NOW


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"guid": "abc-1", "url": "https://example.com/j/1"}, "guid:abc-1"),
        (
            {"guid": "  ", "url": "https://Example.com/j/1?utm_source=x"},
            "url:https://example.com/j/1",
        ),
        ({"url": "javascript:void(0)", "description_html": "<p>Body</p>"}, None),
        ({"description_html": "<p>Body</p>"}, None),
    ],
    ids=["guid", "blank-guid-falls-to-url", "bad-url-falls-to-hash", "hash"],
)
def test_dedup_key_table(fields: dict[str, str], expected: str | None) -> None:
    result = normalize(posting(**fields), source="s", now=NOW)
    hashed = "hash:" + hashlib.sha256(b"Gig\nBody").hexdigest()
    assert result.dedup_key == (expected or hashed)


def test_external_id_is_the_stripped_guid() -> None:
    assert normalize(posting(guid=" g-9 "), source="s", now=NOW).external_id == "g-9"
    assert normalize(posting(guid=""), source="s", now=NOW).external_id is None


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>One</p><p>Two <b>bold</b></p>", "One\n\nTwo bold"),
        ("<ul><li>a</li><li>b</li></ul>after", "a\nb\n\nafter"),
        ("line1<br>line2<br/>line3", "line1\nline2\nline3"),
        ("<script>steal()</script><style>p{}</style>Hi", "Hi"),
        ("Fish &amp; Chips &lt;3", "Fish & Chips <3"),
        ("plain para\n\nsecond\nline", "plain para\n\nsecond\nline"),
        ("<pre>a\n  b</pre>", "a\nb"),
        ("<div>  lots   of\n\tspace </div>", "lots of space"),
        ("<h2>Role</h2>Do things<!-- hidden -->.", "Role\n\nDo things."),
        ("", ""),
    ],
)
def test_html_to_text_table(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("  Senior&nbsp;<b>Dev</b>\r\n Ops  ", "Senior Dev Ops"),
        ("AT&amp;T &#8211; intern", "AT&T – intern"),
        ("C++ & Rust", "C++ & Rust"),
        ("tab\there\x00nul", "tab here nul"),
    ],
)
def test_clean_line_table(title: str, expected: str) -> None:
    assert clean_line(title) == expected


def test_description_html_is_sanitized_for_display() -> None:
    markup = (
        '<p onclick="x()">Hi <a href="https://example.com/a">apply</a><script>bad()</script></p>'
    )
    cleaned = normalize(posting(description_html=markup), source="s", now=NOW).description_html
    assert cleaned is not None
    assert "<script" not in cleaned
    assert "bad()" not in cleaned
    assert "onclick" not in cleaned
    assert 'href="https://example.com/a"' in cleaned


def test_missing_description_gives_empty_text_and_no_html() -> None:
    result = normalize(posting(), source="s", now=NOW)
    assert (result.description, result.description_html) == ("", None)


def test_an_empty_title_is_taken_from_the_description_or_marked_untitled() -> None:
    from_text = normalize(
        posting(title=" ", description_html="<p>Sort photos</p><p>x</p>"), source="s", now=NOW
    )
    assert from_text.title == "Sort photos"
    assert normalize(posting(title=""), source="s", now=NOW).title == UNTITLED


def test_company_and_location_are_cleaned_and_blank_becomes_none() -> None:
    result = normalize(posting(company=" <b>Acme</b>\n", location="   "), source="s", now=NOW)
    assert (result.company, result.location) == ("Acme", None)


def test_normalize_all_keeps_the_first_of_postings_sharing_a_key() -> None:
    raws = [posting(title="first", guid="g"), posting(title="second", guid="g"), posting(guid="h")]
    postings = normalize_all(raws, source="s", now=NOW)
    assert [(p.title, p.dedup_key) for p in postings] == [("first", "guid:g"), ("Gig", "guid:h")]
    assert all(p.source == "s" for p in postings)
