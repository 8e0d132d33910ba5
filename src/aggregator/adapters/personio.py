"""Personio career sites through their public XML feed (`https://<company>.jobs.personio.de/xml`)."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field

from aggregator.adapters._json import (
    TOKEN_PATTERN,
    company_from_token,
    http_base_url,
    with_query,
)
from aggregator.adapters._xmlguard import UnsafeXmlError, check_prolog
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState
from aggregator.dates import from_iso
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["PersonioAdapter", "PersonioOptions"]

NAME = "personio"
ROOT = "workzag-jobs"
_BY_SCHEDULE = frozenset({"permanent", "working_student"})
_ACCEPT = {"Accept": "application/xml, text/xml;q=0.9"}
# The languages the feed documents (`language=`); without one it answers in German.
Language = Literal["de", "en", "fr", "es", "nl", "it", "pt"]


class PersonioOptions(AdapterOptions):
    company: str = Field(
        pattern=TOKEN_PATTERN, description="the company name (<company>.jobs.personio.de)"
    )
    host: Literal["jobs.personio.de", "jobs.personio.com"] = Field(
        "jobs.personio.de", description="the career site's domain (both serve the same feed)"
    )
    language: Language | None = Field(None, description="the feed's language (default: German)")
    api_base: Annotated[str, AfterValidator(http_base_url)] | None = Field(
        None, description="where to fetch the feed instead of https://<company>.<host>"
    )
    company_name: str | None = Field(
        None, description="company name; default: each position's subcompany, else the company"
    )


class PersonioAdapter(Adapter[PersonioOptions]):
    """One company's Personio career site: every published position, in one XML document."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = PersonioOptions
    needs_url: ClassVar[bool] = False
    lists_whole_board: ClassVar[bool] = True
    origin: ClassVar[str] = "ats"

    @property
    def site(self) -> str:
        """The public career site: the base of every posting's link."""
        return f"https://{self.options.company}.{self.options.host}"

    @property
    def url(self) -> str:
        base = self.options.api_base or self.site
        return with_query(f"{base}/xml", {"language": self.options.language})

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        # An unknown company is a 404 with an HTML page, as is a site with the feed turned off.
        missing = (
            f"no XML feed for company {self.options.company!r} on {self.options.host}: no such "
            "career site, or its XML feed is not enabled (Settings > Recruiting > Career page)"
        )
        try:
            return await self.fetch_conditional(client, state, self.url, headers=_ACCEPT)
        except FetchError as exc:
            if exc.status == 404:
                raise FetchError(f"{NAME}: {missing} ({exc})", status=exc.status) from None
            raise

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        root = _root(body)
        return [self._posting(position, i) for i, position in enumerate(root.iter("position"))]

    def _posting(self, position: ET.Element, index: int) -> RawPosting:
        options = self.options
        identifier = _text(position, "id")
        title = _text(position, "name")
        if title is None:
            raise SourceError(f"{NAME}: position {index + 1} has no <name> (its title)")
        offices = _offices(position)
        kind, schedule = _text(position, "employmentType"), _text(position, "schedule")
        tags = (_text(position, "department"), _text(position, "recruitingCategory"))
        return RawPosting(
            title=title,
            guid=identifier,
            url=f"{self.site}/job/{identifier}" if identifier else None,
            company=options.company_name
            or _text(position, "subcompany")
            or company_from_token(options.company),
            location="; ".join(offices) or None,
            description_html=_description(position),
            tags=tuple(tag for tag in dict.fromkeys(tags) if tag),
            posted_at=from_iso(_text(position, "createdAt")),
            # These say nothing of the hours: a part-time schedule is the better hint.
            employment_type=schedule if kind in _BY_SCHEDULE and schedule else kind,
            extra={
                "department": _text(position, "department"),
                "recruiting_category": _text(position, "recruitingCategory"),
                "offices": offices,
                "employment_type": kind,
                "schedule": schedule,
                "seniority": _text(position, "seniority"),
                "years_of_experience": _text(position, "yearsOfExperience"),
                "keywords": _keywords(_text(position, "keywords")),
                "occupation": _text(position, "occupation"),
                "occupation_category": _text(position, "occupationCategory"),
            },
        )


def _root(body: bytes) -> ET.Element:
    """The `<workzag-jobs>` element; entity tricks are refused before the parser runs."""
    # A career site without the feed answers with its HTML page (often well-formed XML too).
    if body[:256].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise SourceError(f"{NAME}: expected the XML feed, got an HTML page")
    try:
        check_prolog(body)
        root = ET.fromstring(body)
    except UnsafeXmlError as exc:
        raise SourceError(f"{NAME}: {exc}") from None
    except ET.ParseError as exc:
        raise SourceError(f"{NAME}: expected the XML feed, got {exc}") from None
    if root.tag != ROOT:
        raise SourceError(f"{NAME}: expected a <{ROOT}> document, got <{root.tag[:40]}>")
    return root


def _text(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    value = found.text if found is not None else None
    return value.strip() if value and value.strip() else None


def _offices(position: ET.Element) -> list[str]:
    names = [_text(position, "office")]
    extra = position.find("additionalOffices")
    if extra is not None:
        names += [(office.text or "").strip() for office in extra.iter("office")]
    return list(dict.fromkeys(name for name in names if name))


def _description(position: ET.Element) -> str | None:
    """The description blocks ("Your tasks", "Your profile") as one document, each under its
    heading; the values are HTML already (CDATA)."""
    parts = []
    for block in position.iterfind("jobDescriptions/jobDescription"):
        heading, value = _text(block, "name"), _text(block, "value")
        if value:
            parts.append((f"<h3>{html.escape(heading)}</h3>" if heading else "") + value)
    return "\n".join(parts) or None


def _keywords(value: str | None) -> list[str]:
    return [word.strip() for word in (value or "").split(",") if word.strip()]
