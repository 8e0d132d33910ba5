"""Glassdoor job alerts (noreply@glassdoor.com, jobalerts): cards of title, company, location
and salary estimate, linked to `/partner/jobListing.htm?jobListingId=` or `/job-listing/...`."""

# No real Glassdoor alert was available: this follows the publicly described structure (a card
# per job: company with rating, title, location, "$X - $Y (Glassdoor est.)", age) and the link
# forms Glassdoor uses on its site; the fixtures are invented in that shape.

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
from aggregator.adapters.mail.senders._common import markup, query_param, without_query
from aggregator.models import RawPosting

__all__ = ["GlassdoorParser", "job_id"]

NAME = "glassdoor"
DOMAINS = ("glassdoor.com", "glassdoor.co.uk", "glassdoor.ca", "glassdoor.co.in", "glassdoor.de")
_ID_RE = re.compile(r"^\d{1,20}$")
# A job page: the partner redirect, the SEO job page ("...-JV_IC1147401_KO0,9_KE10,14.htm"),
# the short form "/job-listing/j?jl=".
_JOB_PATH_RE = re.compile(r"^/(?:partner/joblisting\.htm|job-listing/|job/[^/]*jv_)", re.I)


class GlassdoorParser(CardParser):
    name: ClassVar[str] = NAME
    domains: ClassVar[tuple[str, ...]] = DOMAINS
    title_at: ClassVar[int] = 1

    def card_key(self, url: str) -> str | None:
        return _key(url)

    def card_posting(self, message: MailMessage, card: Card) -> RawPosting:
        return _posting(message, card)


def job_id(url: str) -> str | None:
    """The listing id of a Glassdoor job link (`jobListingId=` or `jl=`), None without one."""
    for name in ("jobListingId", "jl"):
        value = query_param(url, name)
        if value and _ID_RE.match(value):
            return value
    return None


def _key(url: str) -> str | None:
    split = link_on(url, DOMAINS)
    if split is None:
        return None
    if not _JOB_PATH_RE.match(split.path):
        return None
    found = job_id(url)
    return f"id:{found}" if found else f"url:{without_query(url)}"


def _posting(message: MailMessage, card: Card) -> RawPosting:
    company, location = company_and_location(card)
    found = job_id(card.url)
    if found:
        url, guid = f"https://www.glassdoor.com/job-listing/j?jl={found}", f"{NAME}:{found}"
    else:
        # No id: no guid either. The link without its tracking query is the SEO page, whose
        # path spells title and company, so the dedup key (the URL) is title + company.
        url, guid = without_query(card.url), None
    return dataclasses.replace(
        base_posting(message, NAME, card),
        guid=guid,
        url=url,
        company=markup(company),
        location=markup(location),
        pay_text=first(parts(card.lines), MONEY_RE),
    )
