"""What the sender-parser tests share: the invented alert fixtures, a text-only copy of one,
the fields a test compares and the links that must never become postings."""

from __future__ import annotations

import html
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aggregator.models import RawPosting

FIXTURES = Path(__file__).parent / "fixtures"
# Header, footer and settings links of the fixtures: none of them is a job.
CHROME = re.compile(r"unsubscribe|settings|preferences|privacy|notification|jobAlerts|browse", re.I)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def text_only(raw: bytes) -> bytes:
    """The message with its HTML part dropped: the same headers, the text part alone."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    copy = EmailMessage()
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        copy[name] = str(message[name])
    copy.set_content(part.get_content(), cte="quoted-printable")
    return copy.as_bytes()


def with_html(raw_html: str, sender: str, subject: str = "New jobs") -> bytes:
    """A minimal HTML-only message from `sender`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "sam@example.org"
    message["Subject"] = subject
    message["Date"] = "Tue, 01 Dec 2026 10:00:00 +0000"
    message.set_content(raw_html, subtype="html", cte="quoted-printable")
    return message.as_bytes()


def identity(posting: RawPosting) -> tuple[str, str | None, str | None]:
    return posting.title, posting.url, posting.guid


def card(posting: RawPosting) -> tuple[str | None, ...]:
    """title, url, guid, company, location, pay_text; the text fields as the reader sees them
    (parsers escape them: normalization reads RawPosting text as HTML)."""
    return (
        _unescaped(posting.title),
        posting.url,
        posting.guid,
        _unescaped(posting.company),
        _unescaped(posting.location),
        posting.pay_text,
    )


def assert_no_chrome(postings: list[RawPosting]) -> None:
    for posting in postings:
        assert not CHROME.search(posting.url or ""), posting.url
        assert not CHROME.search(posting.title), posting.title


def _unescaped(text: str | None) -> str | None:
    return html.unescape(text) if text is not None else None
