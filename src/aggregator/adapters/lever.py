"""Lever job sites through the public Postings API (`/v0/postings/{site}?mode=json`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field, field_validator

from aggregator.adapters._json import (
    TOKEN_PATTERN,
    company_from_token,
    expect_list,
    expect_object,
    fetch_json,
    http_base_url,
    load_json,
    require_text,
    text,
    with_query,
)
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState
from aggregator.dates import from_epoch
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["API_HOSTS", "LeverAdapter", "LeverOptions"]

NAME = "lever"
API_HOSTS = {"global": "https://api.lever.co", "eu": "https://api.eu.lever.co"}
_PARAGRAPHS = re.compile(r"\n\s*\n")

Filter = str | list[str] | None


class LeverOptions(AdapterOptions):
    site: str = Field(pattern=TOKEN_PATTERN, description="the site name (jobs.lever.co/<site>)")
    region: Literal["global", "eu"] = Field(
        "global", description="eu for sites hosted on jobs.eu.lever.co"
    )
    api_base: str | None = Field(None, description="overrides the region's API host")
    team: Filter = None
    location: Filter = None
    commitment: Filter = None
    department: Filter = None
    company: str | None = Field(
        None, description="company name; default: the site name title-cased"
    )

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, value: str | None) -> str | None:
        return None if value is None else http_base_url(value)


class LeverAdapter(Adapter[LeverOptions]):
    """One company's Lever site; no url needed, the site name says where.

    Lever's `group=` parameter only nests the same postings under headings, so it is not an
    option; a saved grouped response still parses (for `aggregate sources test --file`).
    """

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = LeverOptions
    needs_url: ClassVar[bool] = False
    lists_whole_board: ClassVar[bool] = True
    origin: ClassVar[str] = "ats"

    @property
    def url(self) -> str:
        options = self.options
        base = options.api_base or API_HOSTS[options.region]
        postings = f"{base}/v0/postings/{quote(options.site, safe='')}"
        filters = {
            "mode": "json",
            "team": options.team,
            "location": options.location,
            "commitment": options.commitment,
            "department": options.department,
        }
        return with_query(postings, filters)

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        site = self.options.site
        other = "global" if self.options.region == "eu" else "eu"
        missing = (
            f"unknown site {site!r}: Lever has no such job site (or it is on the {other} host)"
        )
        return await fetch_json(self, client, state, self.url, missing=missing)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        root = expect_list(load_json(body, adapter=NAME), adapter=NAME, path="$")
        records = list(_postings(root))
        return [self._posting(posting, path) for posting, path in records]

    def _posting(self, posting: Mapping[str, Any], path: str) -> RawPosting:
        options = self.options
        categories = posting.get("categories")
        category = categories if isinstance(categories, dict) else {}
        salary = posting.get("salaryRange")
        pay = salary if isinstance(salary, dict) else {}
        tags = (text(category.get("team")), text(category.get("department")))
        return RawPosting(
            title=require_text(posting, "text", adapter=NAME, path=path),
            guid=text(posting.get("id")),
            url=text(posting.get("hostedUrl")) or text(posting.get("applyUrl")),
            company=options.company or company_from_token(options.site),
            location=text(category.get("location")),
            description_html=_description(posting),
            tags=tuple(tag for tag in dict.fromkeys(tags) if tag),
            posted_at=from_epoch(posting.get("createdAt"), unit="ms"),
            remote=_workplace(posting.get("workplaceType")),
            employment_type=text(category.get("commitment")),
            pay_min=_amount(pay.get("min")),
            pay_max=_amount(pay.get("max")),
            currency=text(pay.get("currency")),
            pay_period=text(pay.get("interval")),
            pay_text=text(posting.get("salaryDescriptionPlain")),
            extra={
                "apply_url": text(posting.get("applyUrl")),
                "level": text(category.get("level")),
                "all_locations": category.get("allLocations"),
                "country": text(posting.get("country")),
            },
        )


def _postings(root: list[Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Each posting with its path, from a plain list or a `group=` list of
    `{title, postings: [...]}`; a wrong shape raises before anything is returned."""
    for i, item in enumerate(root):
        record = expect_object(item, adapter=NAME, path=f"$[{i}]")
        if "postings" in record and "text" not in record:
            group = expect_list(record["postings"], adapter=NAME, path=f"$[{i}].postings")
            for j, posting in enumerate(group):
                path = f"$[{i}].postings[{j}]"
                yield expect_object(posting, adapter=NAME, path=path), path
        else:
            yield record, f"$[{i}]"


def _description(posting: Mapping[str, Any]) -> str | None:
    """The description, the titled lists (requirements, duties) and the closing text as one
    HTML document, the way the hosted posting page shows them."""
    parts = [_html(posting, "description", "descriptionPlain")]
    lists = posting.get("lists")
    for item in lists if isinstance(lists, list) else []:
        if isinstance(item, dict) and (items := text(item.get("content"))):
            heading = text(item.get("text"))
            parts.append(
                (f"<h3>{html.escape(heading)}</h3>" if heading else "") + f"<ul>{items}</ul>"
            )
    parts.append(_html(posting, "additional", "additionalPlain"))
    joined = "\n".join(part for part in parts if part)
    return joined or None


def _html(posting: Mapping[str, Any], html_key: str, plain_key: str) -> str | None:
    # Old sites (2015) put plain text in `description`; newer ones HTML there and the plain
    # text in `descriptionPlain`. Plain text becomes paragraphs so its breaks survive.
    markup = text(posting.get(html_key))
    if markup and "<" in markup:
        return markup
    plain = markup or text(posting.get(plain_key))
    if not plain:
        return None
    paragraphs = (p.strip() for p in _PARAGRAPHS.split(plain))
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p)


def _workplace(value: object) -> str | None:
    """`remote`, `hybrid` or `on-site` (`onsite` in the wild), raw for normalization;
    `unspecified` says nothing."""
    workplace = text(value)
    return None if workplace is None or workplace.lower() == "unspecified" else workplace


def _amount(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
