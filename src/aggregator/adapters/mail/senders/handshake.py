"""Handshake job alerts (*@joinhandshake.com, notifications@mail.joinhandshake.com): cards of
title, employer, location, job type and pay, linked to `app.joinhandshake.com/jobs/<id>`."""

# No real Handshake alert was available: this follows the publicly described structure (a card
# per job: title, employer, location, "Internship" / "Part-time" / "On-campus", pay) and the link
# forms of Handshake's site (`/jobs/<id>`, `/stu/jobs/<id>`, a school's own subdomain), behind a
# click tracker that names its destination; the fixtures are invented in that shape.

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

__all__ = ["HandshakeParser", "job_id"]

NAME = "handshake"
DOMAIN = "joinhandshake.com"
_JOB_PATH_RE = re.compile(r"^/(?:stu/)?(?:jobs|job-search|postings)/(\d{1,12})/?$")
# The job-type words of a card; "On-campus" is a place of work, not a type, and means on site.
_TYPE_RE = re.compile(
    r"^(?:internships?|part[- ]time|full[- ]time|on[- ]campus(?:\s+job)?|fellowship|"
    r"co-?op|contract|temporary|seasonal|job|volunteer|work[- ]study)$",
    re.IGNORECASE,
)
# Beside the type, neither employer nor place.
_PAID_RE = re.compile(r"^(?:un)?paid$", re.IGNORECASE)
_ON_CAMPUS_RE = re.compile(r"^on[- ]campus", re.IGNORECASE)


class HandshakeParser(CardParser):
    name: ClassVar[str] = NAME
    domains: ClassVar[tuple[str, ...]] = (DOMAIN,)

    def card_key(self, url: str) -> str | None:
        return job_id(url)

    def card_posting(self, message: MailMessage, card: Card) -> RawPosting:
        return _posting(message, card)


def job_id(url: str) -> str | None:
    """The job id of a Handshake job link (any school's subdomain), None for other links."""
    split = link_on(url, (DOMAIN,))
    if split is None:
        return None
    found = _JOB_PATH_RE.match(split.path)
    return found.group(1) if found else None


def _posting(message: MailMessage, card: Card) -> RawPosting:
    company, location = company_and_location(card, skip=(_TYPE_RE, _PAID_RE))
    types = [part for part in parts(card.lines) if _TYPE_RE.match(part)]
    on_campus = any(_ON_CAMPUS_RE.match(kind) for kind in types)
    return dataclasses.replace(
        base_posting(message, NAME, card),
        guid=f"{NAME}:{card.key}",
        url=f"https://app.joinhandshake.com/jobs/{card.key}",
        company=markup(company),
        location=markup(location),
        employment_type=", ".join(types) or None,
        remote=False if on_campus else None,
        pay_text=first(parts(card.lines), MONEY_RE),
    )
