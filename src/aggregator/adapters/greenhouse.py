"""Greenhouse job boards through the public Job Board API (`/v1/boards/{token}/jobs`)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any, ClassVar
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
    texts,
)
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState
from aggregator.dates import from_iso
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["GreenhouseAdapter", "GreenhouseOptions"]

NAME = "greenhouse"
# Custom job fields (`metadata`) that boards commonly use for the type of employment.
_EMPLOYMENT_FIELDS = frozenset({"employment type", "job type", "employment", "time type"})


class GreenhouseOptions(AdapterOptions):
    board: str = Field(
        pattern=TOKEN_PATTERN, description="the board token (boards.greenhouse.io/<token>)"
    )
    api_base: str = "https://boards-api.greenhouse.io"
    content: bool = Field(True, description="ask for descriptions, departments and offices")
    company: str | None = Field(
        None,
        description="company name; default: each job's company_name, else the board token "
        "title-cased (`acme-labs` -> `Acme Labs`)",
    )

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        return http_base_url(value)


class GreenhouseAdapter(Adapter[GreenhouseOptions]):
    """One company's Greenhouse board; no url needed, the board token says where."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = GreenhouseOptions
    needs_url: ClassVar[bool] = False
    lists_whole_board: ClassVar[bool] = True
    origin: ClassVar[str] = "ats"

    @property
    def url(self) -> str:
        options = self.options
        jobs = f"{options.api_base}/v1/boards/{quote(options.board, safe='')}/jobs"
        return f"{jobs}?content=true" if options.content else jobs

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        # Greenhouse answers an unknown token with 404 today and answered 400 in the past.
        missing = f"unknown board token {self.options.board!r}: Greenhouse has no such job board"
        return await fetch_json(
            self, client, state, self.url, missing=missing, missing_statuses=(400, 404)
        )

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        document = expect_object(load_json(body, adapter=NAME), adapter=NAME, path="$")
        jobs = expect_list(document.get("jobs"), adapter=NAME, path="$.jobs")
        records = [
            expect_object(job, adapter=NAME, path=f"$.jobs[{i}]") for i, job in enumerate(jobs)
        ]
        return [self._posting(job, f"$.jobs[{i}]") for i, job in enumerate(records)]

    def _posting(self, job: Mapping[str, Any], path: str) -> RawPosting:
        options = self.options
        company = options.company or text(job.get("company_name"))
        departments = texts(job.get("departments"), key="name")
        offices = texts(job.get("offices"), key="name")
        metadata = _metadata(job.get("metadata"))
        return RawPosting(
            title=require_text(job, "title", adapter=NAME, path=path),
            guid=text(job.get("id")),
            url=text(job.get("absolute_url")),
            company=company or company_from_token(options.board),
            location=_location(job, offices),
            description_html=_description(job.get("content")),
            tags=departments,
            posted_at=from_iso(job.get("first_published")) or from_iso(job.get("updated_at")),
            employment_type=_employment_type(metadata),
            deadline=text(job.get("application_deadline")),
            extra={
                "departments": list(departments),
                "offices": list(offices),
                "metadata": metadata,
                "updated_at": text(job.get("updated_at")),
                "requisition_id": text(job.get("requisition_id")),
            },
        )


def _description(content: object) -> str | None:
    # The API entity-escapes the HTML (`&lt;p&gt;`): one unescape gives the markup back.
    # Only one: the escaped text may itself hold entities meant as text (`&amp;amp;`).
    raw = text(content)
    return html.unescape(raw) if raw else None


def _location(job: Mapping[str, Any], offices: tuple[str, ...]) -> str | None:
    location = job.get("location")
    name = text(location.get("name")) if isinstance(location, dict) else None
    return name or (", ".join(offices) if offices else None)


def _metadata(fields: object) -> dict[str, Any]:
    """Custom fields as `{name: value}` (a list of `{name, value, value_type}`, or null)."""
    if not isinstance(fields, list):
        return {}
    named = (f for f in fields if isinstance(f, dict) and text(f.get("name")))
    return {str(f["name"]).strip(): f.get("value") for f in named}


def _employment_type(metadata: Mapping[str, Any]) -> str | None:
    for name, value in metadata.items():
        if name.lower() in _EMPLOYMENT_FIELDS:
            return text(value) or None
    return None
