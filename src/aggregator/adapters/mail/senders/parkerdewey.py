"""Parker Dewey micro-internship alerts (*@parkerdewey.com): project cards of title, company,
fixed project fee, estimated hours and deadline, linked to `.../projects/<id>`."""

# No real Parker Dewey alert was available: this follows the publicly described structure of
# its projects (a fixed fee such as "$500", "10-20 hours" of work, an application deadline,
# mostly remote) and the link forms of its site; the fixtures are invented in that shape.

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders._cards import (
    AGE_RE,
    Card,
    CardParser,
    base_posting,
    company_and_location,
    first,
    labelled,
    link_on,
    parts,
)
from aggregator.adapters.mail.senders._common import markup, without_query
from aggregator.models import RawPosting

__all__ = ["ParkerDeweyParser", "project_id"]

NAME = "parkerdewey"
DOMAIN = "parkerdewey.com"
_PROJECT_PATH_RE = re.compile(r"/(?:projects?|micro-internships)/([A-Za-z0-9][\w-]{0,63})/?$")
_NOT_IDS = frozenset({"search", "browse", "new", "all", "recommended", "saved"})
# "$500", "$1,200", "$400 - $600": the project's fixed fee.
_FEE_RE = re.compile(
    r"([$€£])\s?(\d{1,3}(?:,\d{3})*|\d+)(?:\.\d{2})?(?:\s*[-–]\s*[$€£]?\s?(\d{1,3}(?:,\d{3})*|\d+))?"
)
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP"}
_HOURS_RE = re.compile(r"\b\d{1,3}(?:\s*[-–]\s*\d{1,3})?\s*(?:hours?|hrs?|days?|weeks?)\b", re.I)
_DEADLINE_LABELS = ("apply by", "deadline", "application deadline", "applications close")
_REMOTE_RE = re.compile(r"\bremote\b", re.IGNORECASE)
_NOT_PLACES = (_HOURS_RE, re.compile(r"^(?:micro-internship|project)$", re.IGNORECASE))


class ParkerDeweyParser(CardParser):
    name: ClassVar[str] = NAME
    domains: ClassVar[tuple[str, ...]] = (DOMAIN,)
    title_at: ClassVar[int] = 1

    def card_key(self, url: str) -> str | None:
        return project_id(url)

    def card_posting(self, message: MailMessage, card: Card) -> RawPosting:
        return _posting(message, card)


def project_id(url: str) -> str | None:
    """The project id of a Parker Dewey project link, None for other links."""
    split = link_on(url, (DOMAIN,))
    if split is None:
        return None
    found = _PROJECT_PATH_RE.search(split.path)
    if found is None or found.group(1).lower() in _NOT_IDS:
        return None
    return found.group(1)


def _posting(message: MailMessage, card: Card) -> RawPosting:
    company, location = company_and_location(card, skip=_NOT_PLACES)
    items = parts(card.lines)
    fee_text = first(items, _FEE_RE)
    fee = _FEE_RE.search(fee_text) if fee_text else None
    low = float(fee.group(2).replace(",", "")) if fee else None
    high = float(fee.group(3).replace(",", "")) if fee and fee.group(3) else low
    hours = first(items, _HOURS_RE)
    duration = _HOURS_RE.search(hours) if hours else None
    return dataclasses.replace(
        base_posting(message, NAME, card),
        guid=f"{NAME}:{card.key}",
        # The site's own link, without the alert's tracking; no canonical form is documented.
        url=without_query(card.url),
        company=markup(company),
        location=markup(location),
        remote=True if any(_REMOTE_RE.search(item) for item in items) else None,
        employment_type="micro-internship",
        pay_min=low,
        pay_max=high,
        currency=_CURRENCIES[fee.group(1)] if fee else None,
        pay_period="project" if fee else None,
        pay_text=fee_text,
        duration_text=duration.group() if duration else None,
        deadline=labelled(items, *_DEADLINE_LABELS) or _deadline_phrase(items),
    )


def _deadline_phrase(items: list[str]) -> str | None:
    """ "Apply by Dec 15, 2026" written without a colon."""
    for item in items:
        found = re.match(r"(?:apply\s+by|deadline|closes?)\s+(.+)$", item, re.IGNORECASE)
        if found and not AGE_RE.match(found.group(1)):
            return found.group(1).strip()
    return None
