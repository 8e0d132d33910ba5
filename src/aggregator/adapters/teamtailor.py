"""Teamtailor career sites through their public JSON Feed (`<career site>/jobs.json`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar, Final

import httpx
from pydantic import Field

from aggregator.adapters._json import (
    company_from_token,
    expect_list,
    expect_object,
    load_json,
    require_text,
    text,
    texts,
)
from aggregator.adapters._posts import text_to_html
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState
from aggregator.adapters.json_pagination import NextLinkPagination, fetch_pages
from aggregator.dates import from_iso
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["TeamtailorAdapter", "TeamtailorOptions", "feed_url"]

NAME = "teamtailor"
_ACCEPT: Final = {"Accept": "application/feed+json, application/json;q=0.9"}
# JSON Feed's own pagination: `next_url` at the top level, absent on the last page.
PAGES: Final = NextLinkPagination(type="next_link", path="next_url")
_JSON_FEED = "https://jsonfeed.org/version/"
_HOSTED = ".teamtailor.com"


class TeamtailorOptions(AdapterOptions):
    company: str | None = Field(
        None,
        description="company name; default: each job's hiring organization, else the "
        "<company> of <company>.teamtailor.com title-cased",
    )
    max_pages: int = Field(10, ge=1, le=100, description="feed pages (next_url) to follow a run")


class TeamtailorAdapter(Adapter[TeamtailorOptions]):
    """One company's Teamtailor career site (`https://<company>.teamtailor.com` or its own
    careers domain): every published job, with its description."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = TeamtailorOptions
    lists_whole_board: ClassVar[bool] = True
    origin: ClassVar[str] = "ats"

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        first = feed_url(self.url)
        try:
            pages = await fetch_pages(
                client,
                first,
                PAGES,
                max_pages=self.options.max_pages,
                decode=_feed,
                records=lambda document: len(document.get("items") or ()),
                headers=_ACCEPT,
                max_bytes=self.source.max_body_bytes,
            )
        except FetchError as exc:
            if exc.status == 404:
                raise FetchError(
                    f"{NAME}: no job feed at {first}: not a Teamtailor career site? ({exc})",
                    status=exc.status,
                ) from None
            raise
        result = FetchResult.of_pages(pages, state)
        # Stopped at max_pages with a next page still announced: not the whole board.
        more = len(pages) == self.options.max_pages and text(_feed(pages[-1].body).get("next_url"))
        return replace(result, complete=not more)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        document = _feed(body)
        items = expect_list(document.get("items"), adapter=NAME, path="$.items")
        records = [
            expect_object(item, adapter=NAME, path=f"$.items[{i}]") for i, item in enumerate(items)
        ]
        return [self._posting(item, f"$.items[{i}]") for i, item in enumerate(records)]

    def _posting(self, item: Mapping[str, Any], path: str) -> RawPosting:
        job = item.get("_jobposting")
        schema: Mapping[str, Any] = job if isinstance(job, dict) else {}
        places = _places(schema.get("jobLocation"))
        pay = _pay(schema.get("baseSalary"))
        return RawPosting(
            title=require_text(item, "title", adapter=NAME, path=path).strip(),
            guid=text(item.get("id")),
            url=text(item.get("url")) or text(item.get("external_url")),
            company=self.options.company or _organization(schema) or self._company(),
            location="; ".join(places) or None,
            description_html=_description(item, schema),
            tags=texts(item.get("tags")),
            posted_at=from_iso(item.get("date_published")) or from_iso(schema.get("datePosted")),
            remote=True if text(schema.get("jobLocationType")) == "TELECOMMUTE" else None,
            employment_type=", ".join(_words(schema.get("employmentType"))) or None,
            deadline=text(schema.get("validThrough")),
            pay_min=pay.get("minValue"),
            pay_max=pay.get("maxValue"),
            currency=pay.get("currency"),
            pay_period=pay.get("unitText"),
            extra={
                "locations": places,
                "date_modified": text(item.get("date_modified")),
                "valid_through": text(schema.get("validThrough")),
            },
        )

    def _company(self) -> str | None:
        """`lanternworks` of lanternworks.teamtailor.com (or lanternworks.na.teamtailor.com);
        a custom careers domain does not name the company."""
        host = httpx.URL(self.url).host
        return company_from_token(host.split(".", 1)[0]) if host.endswith(_HOSTED) else None


def feed_url(site: str) -> str:
    """The JSON Feed of a career site, from its address, its jobs page or the feed itself."""
    base = str(httpx.URL(site).copy_with(query=None, fragment=None)).rstrip("/")
    for suffix in ("/jobs.json", "/jobs"):
        base = base.removesuffix(suffix)
    return f"{base}/jobs.json"


def _feed(body: bytes) -> Mapping[str, Any]:
    document = expect_object(load_json(body, adapter=NAME), adapter=NAME, path="$")
    version = text(document.get("version"))
    if version is not None and not version.startswith(_JSON_FEED):
        raise SourceError(f"{NAME}: expected a JSON Feed, got version {version[:80]!r}")
    return document


def _description(item: Mapping[str, Any], schema: Mapping[str, Any]) -> str | None:
    markup = text(item.get("content_html")) or text(schema.get("description"))
    if markup:
        return markup
    plain = text(item.get("content_text"))
    return text_to_html(plain) if plain else None


def _organization(schema: Mapping[str, Any]) -> str | None:
    organization = schema.get("hiringOrganization")
    return text(organization.get("name")) if isinstance(organization, dict) else None


def _places(locations: object) -> list[str]:
    """schema.org `jobLocation` (one Place or a list): each address as "city, region, country"."""
    found = []
    for place in locations if isinstance(locations, list) else [locations]:
        address = place.get("address") if isinstance(place, dict) else None
        if isinstance(address, str):
            found.append(address.strip())
        elif isinstance(address, dict):
            country = address.get("addressCountry")
            if isinstance(country, dict):
                country = country.get("name")
            parts = (address.get("addressLocality"), address.get("addressRegion"), country)
            found.append(", ".join(dict.fromkeys(p for p in map(text, parts) if p)))
    return list(dict.fromkeys(place for place in found if place))


def _pay(salary: object) -> dict[str, Any]:
    """schema.org `baseSalary` (a MonetaryAmount of a QuantitativeValue): bounds, currency and
    the unit (HOUR, MONTH, YEAR ...), as far as given."""
    if not isinstance(salary, dict):
        return {}
    value = salary.get("value")
    amount: Mapping[str, Any] = value if isinstance(value, dict) else {"value": value}
    single = _number(amount.get("value"))
    unit = text(amount.get("unitText")) or text(salary.get("unitText"))
    return {
        "minValue": _number(amount.get("minValue")) or single,
        "maxValue": _number(amount.get("maxValue")) or single,
        "currency": text(salary.get("currency")),
        "unitText": unit.lower() if unit else None,
    }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _words(value: object) -> tuple[str, ...]:
    return texts(value) if isinstance(value, list) else tuple(t for t in [text(value)] if t)
