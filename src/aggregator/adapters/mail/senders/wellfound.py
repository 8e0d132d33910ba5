"""Wellfound (formerly AngelList Talent) job alerts (*@wellfound.com, *@angel.co): cards of
company, title, location, salary and equity, linked to `/jobs/<id>-<slug>`."""

# No real Wellfound alert was available: this follows the publicly described structure of its
# job listings (company, title, "Remote · $80k – $100k · 0.1% – 0.5%", job type) and the link
# forms of its site (`/jobs/<id>-<slug>`, `/company/<co>/jobs/<id>-<slug>`); the fixtures are
# invented in that shape.

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders._cards import (
    MONEY_RE,
    Card,
    CardParser,
    base_posting,
    company_and_location,
    first,
    link_on,
    parts,
)
from aggregator.adapters.mail.senders._common import markup
from aggregator.models import RawPosting

__all__ = ["WellfoundParser", "job_id"]

NAME = "wellfound"
DOMAINS = ("wellfound.com", "angel.co")
_ID_RE = re.compile(r"^/(?:company/[^/]+/)?jobs/(\d{1,12})(?:-[^/]*)?/?$")
# "0.1% – 0.5%", "1.0%", "No equity": shown beside the salary; kept in the description.
_EQUITY_RE = re.compile(
    r"^(?:\d+(?:\.\d+)?%(?:\s*[-–]\s*\d+(?:\.\d+)?%)?(?:\s+equity)?|no equity)$", re.I
)
_TYPE_RE = re.compile(r"^(?:full[- ]time|part[- ]time|contract|internship|cofounder)$", re.I)


class WellfoundParser(CardParser):
    name: ClassVar[str] = NAME
    domains: ClassVar[tuple[str, ...]] = DOMAINS
    title_at: ClassVar[int] = 1

    def card_key(self, url: str) -> str | None:
        return job_id(url)

    def card_posting(self, message: MailMessage, card: Card) -> RawPosting:
        return _posting(message, card)


def job_id(url: str) -> str | None:
    """The job id of a Wellfound (or angel.co) job link, None for other links."""
    split = link_on(url, DOMAINS)
    if split is None:
        return None
    found = _ID_RE.match(split.path)
    return found.group(1) if found else None


def _posting(message: MailMessage, card: Card) -> RawPosting:
    company, location = company_and_location(card, skip=(_EQUITY_RE, _TYPE_RE), name_first=True)
    types = [part for part in parts(card.lines) if _TYPE_RE.match(part)]
    return dataclasses.replace(
        base_posting(message, NAME, card),
        guid=f"{NAME}:{card.key}",
        url=f"https://wellfound.com/jobs/{card.key}",
        company=markup(company),
        location=markup(location),
        employment_type=types[0] if types else None,
        pay_text=first(parts(card.lines), MONEY_RE),
    )
