"""Invented alert e-mails and a test-only sender parser, for the mail adapters' tests."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import ClassVar

import pytest

from aggregator.adapters.mail import senders
from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders import MailParser
from aggregator.models import RawPosting

__all__ = [
    "SENDER",
    "LinesParser",
    "alert",
    "install_lines_parser",
    "job_url",
    "lines_parser",
    "plain",
]

SENDER = "alerts@jobs.example"


class LinesParser(MailParser):
    """Alerts from SENDER: each body line `JOB: <title> | <url>` is one posting."""

    name: ClassVar[str] = "lines"

    def recognises(self, message: MailMessage) -> bool:
        return message.sender == SENDER

    def parse(self, message: MailMessage) -> list[RawPosting]:
        postings = []
        for line in (message.text or "").splitlines():
            if line.startswith("JOB: "):
                title, _, url = line[5:].partition(" | ")
                postings.append(RawPosting(title=title.strip(), url=url.strip() or None))
        return postings


def install_lines_parser() -> None:
    """Make LinesParser the only sender parser of this process (and of workers forked later)."""
    parsers = (LinesParser(),)
    senders.sender_parsers = lambda: parsers  # type: ignore[assignment]


@pytest.fixture
def lines_parser(monkeypatch: pytest.MonkeyPatch) -> LinesParser:
    parser = LinesParser()
    monkeypatch.setattr(senders, "sender_parsers", lambda: (parser,))
    return parser


def alert(*titles: str, sender: str = SENDER, subject: str = "New jobs for you") -> bytes:
    """An alert listing `titles`, each with a link of its own."""
    body = "".join(f"JOB: {title} | {job_url(title)}\n" for title in titles)
    return plain(body, sender=sender, subject=subject)


def job_url(title: str) -> str:
    return "https://jobs.example/view/" + "-".join(title.lower().split())


def plain(body: str, *, sender: str = SENDER, subject: str = "Alert") -> bytes:
    message = EmailMessage()
    message["From"] = f"Jobs <{sender}>"
    message["To"] = "me@example.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    message.set_content(body)
    return message.as_bytes()
