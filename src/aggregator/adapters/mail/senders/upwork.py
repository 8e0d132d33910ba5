"""Upwork job alerts (*@upwork.com): cards of gig title, "Hourly: $min - $max" or
"Fixed-price: $500", experience level and estimated time, linked to `/jobs/~<id>`."""

# No real Upwork alert was available: this follows the publicly described structure of Upwork's
# job tiles (type and rate, level, "Est. time", a snippet, skills, "Posted N minutes ago") and
# its link forms (`/jobs/~<id>`, `/job/<slug>_~<id>/`, `/freelance-jobs/apply/<slug>_~<id>/`);
# the fixtures are invented in that shape.

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders._cards import (
    Card,
    CardParser,
    base_posting,
    labelled,
    link_on,
    parts,
)
from aggregator.models import RawPosting

__all__ = ["UpworkParser", "job_id"]

NAME = "upwork"
DOMAIN = "upwork.com"
_ID_RE = re.compile(r"^/(?:(?:nx/)?jobs?|freelance-jobs)/(?:[^?#]*_)?~([0-9a-z]{8,32})/?$", re.I)
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?"
# "Hourly: $30.00 - $50.00", "Hourly: $25", "Fixed-price: $500", "Budget: $500", "Est. budget".
_PAY_RE = re.compile(
    rf"\b(hourly|fixed[- ]price|(?:est\.?\s+)?budget)\b(?:\s+rate)?\s*:?\s*\$\s?{_NUMBER}"
    rf"(?:\s*[-–]\s*\$?\s?{_NUMBER})?",
    re.IGNORECASE,
)


class UpworkParser(CardParser):
    name: ClassVar[str] = NAME
    domains: ClassVar[tuple[str, ...]] = (DOMAIN,)

    def card_key(self, url: str) -> str | None:
        return job_id(url)

    def card_posting(self, message: MailMessage, card: Card) -> RawPosting:
        return _posting(message, card)


def job_id(url: str) -> str | None:
    """The job id (after `~`) of an Upwork job link, None for other links."""
    split = link_on(url, (DOMAIN,))
    if split is None:
        return None
    found = _ID_RE.match(split.path)
    return found.group(1).lower() if found else None


def _posting(message: MailMessage, card: Card) -> RawPosting:
    items = parts(card.lines)
    pay = next((found for item in items if (found := _PAY_RE.search(item))), None)
    low = _amount(pay.group(2)) if pay else None
    high = _amount(pay.group(3)) if pay and pay.group(3) else low
    hourly = pay is not None and pay.group(1).lower() == "hourly"
    return dataclasses.replace(
        base_posting(message, NAME, card),
        guid=f"{NAME}:{card.key}",
        url=f"https://www.upwork.com/jobs/~{card.key}",
        # Clients are anonymous in alerts and their country is not where the work is done.
        remote=True,
        employment_type="gig",
        pay_min=low,
        pay_max=high,
        currency="USD" if pay else None,
        pay_period=("hour" if hourly else "project") if pay else None,
        pay_text=pay.group() if pay else None,
        duration_text=_duration(items),
    )


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def _duration(items: list[str]) -> str | None:
    """ "Est. time: 1 to 3 months, Less than 30 hrs/week": the length, not the weekly load."""
    found = labelled(items, "est. time", "estimated time", "duration")
    return found.split(",")[0].strip() or None if found else None
