"""Workday career sites through the public CXS search (`POST /wday/cxs/<tenant>/<site>/jobs`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from pydantic import Field

from aggregator.adapters._json import (
    ACCEPT_JSON,
    TOKEN_PATTERN,
    company_from_token,
    expect_list,
    expect_object,
    load_json,
    require_text,
    text,
    texts,
)
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState, Page
from aggregator.dates import from_epoch
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = [
    "PAGE_SIZE",
    "CareerSite",
    "WorkdayAdapter",
    "WorkdayOptions",
    "career_site",
    "posted_date",
]

NAME = "workday"
# Workday answers a larger `limit` with HTTP 400, not with a longer page.
PAGE_SIZE: Final = 20
_HOSTED = ".myworkdayjobs.com"
_LOCALE_RE = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")
# "Posted Today", "Posted Yesterday", "Posted 3 Days Ago"; "Posted 30+ Days Ago" says only
# that the job is older than a month.
_POSTED_RE = re.compile(r"^posted\s+(?:(today)|(yesterday)|(\d{1,2})\s+days?\s+ago)$", re.I)


class WorkdayOptions(AdapterOptions):
    tenant: str | None = Field(
        None, pattern=TOKEN_PATTERN, description="default: the <tenant> of <tenant>.wdN..."
    )
    site: str | None = Field(
        None, pattern=TOKEN_PATTERN, description="default: the site named in the url's path"
    )
    search_text: str = Field("", max_length=200, description="Workday's own search box")
    applied_facets: dict[str, list[str]] = Field(
        default_factory=dict, description="facet ids to filter by, as the site's search sends"
    )
    max_pages: int = Field(25, ge=1, le=500, description="pages of 20 jobs to read a run")
    company: str | None = Field(None, description="company name; default: the tenant")


@dataclass(frozen=True, slots=True)
class CareerSite:
    """Where a careers site is: its origin, tenant, site and the locale in its URL."""

    origin: str
    tenant: str
    site: str
    locale: str | None

    @property
    def api(self) -> str:
        return f"{self.origin}/wday/cxs/{quote(self.tenant)}/{quote(self.site)}/jobs"

    @property
    def home(self) -> str:
        """The site's public address, the base of each job's `externalPath`."""
        locale = f"/{self.locale}" if self.locale else ""
        return f"{self.origin}{locale}/{quote(self.site)}"


def career_site(url: str, *, tenant: str | None = None, site: str | None = None) -> CareerSite:
    """The careers site of `https://<tenant>.wdN.myworkdayjobs.com/[<locale>/]<site>[/...]`;
    `tenant` and `site` stand in for what the URL does not say (another host)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise SourceError(f"{NAME}: invalid url: {exc}") from None
    segments = [part for part in parsed.path.split("/") if part]
    locale = segments.pop(0) if len(segments) > 1 and _LOCALE_RE.match(segments[0]) else None
    host = parsed.host.lower()
    tenant = tenant or (host.split(".", 1)[0] if host.endswith(_HOSTED) else None)
    site = site or (segments[0] if segments else None)
    if not tenant or not site:
        missing = " and ".join(w for w, v in (("tenant", tenant), ("site", site)) if not v)
        raise SourceError(
            f"{NAME}: cannot tell the {missing} from {url!r}: expected "
            "https://<tenant>.wdN.myworkdayjobs.com/[<locale>/]<site>, or give options "
            "tenant and site"
        )
    origin = str(parsed.copy_with(path="/", query=None, fragment=None)).rstrip("/")
    return CareerSite(origin, tenant, site, locale)


class WorkdayAdapter(Adapter[WorkdayOptions]):
    """One company's Workday careers site: every posted job (or those the search matches),
    20 a request. The list gives no description, and posting dates relative to the fetch."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = WorkdayOptions
    lists_whole_board: ClassVar[bool] = True
    origin: ClassVar[str] = "ats"

    @property
    def career_site(self) -> CareerSite:
        return career_site(self.url, tenant=self.options.tenant, site=self.options.site)

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        site = self.career_site
        # The pages say "Posted 3 Days Ago": the fetch time, in each page's URL, is what
        # `parse` counts back from.
        page_url = f"{site.api}#fetched={int(datetime.now(UTC).timestamp())}"
        pages: list[Page] = []
        total: int | None = None
        offset = 0
        for _ in range(self.options.max_pages):
            body = await self._page(client, site, offset)
            pages.append(Page(page_url, body, "application/json"))
            postings, reported = _listing(body)
            # Workday reports the total on the first page only (later pages say 0).
            total = reported if total is None else total
            offset += len(postings)
            last = total is not None and offset >= total
            if not postings or len(postings) < PAGE_SIZE or last:
                return FetchResult.of_pages(pages, state)
        result = FetchResult.of_pages(pages, state)
        return replace(result, complete=False)  # stopped at max_pages: more jobs remain

    async def _page(self, client: HttpClient, site: CareerSite, offset: int) -> bytes:
        search = {
            "appliedFacets": self.options.applied_facets,
            "limit": PAGE_SIZE,
            "offset": offset,
            "searchText": self.options.search_text,
        }
        try:
            response = await client.post_json(
                site.api,
                search,
                headers={"Accept": ACCEPT_JSON},
                max_bytes=self.source.max_body_bytes,
            )
        except FetchError as exc:
            if exc.status in (404, 422):
                raise FetchError(
                    f"{NAME}: no careers site {site.tenant}/{site.site} on {site.origin} "
                    f"(check the url, or the tenant and site options) ({exc})",
                    status=exc.status,
                ) from None
            raise
        return response.body

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        postings, _ = _listing(body)
        site = self.career_site
        company = self.options.company or company_from_token(site.tenant)
        fetched = _fetched(url)
        return [
            _posting(job, f"$.jobPostings[{i}]", site, company, fetched)
            for i, job in enumerate(postings)
        ]


def _listing(body: bytes) -> tuple[list[Mapping[str, Any]], int | None]:
    """The page's job records, each checked to be an object, and its `total`."""
    document = expect_object(load_json(body, adapter=NAME), adapter=NAME, path="$")
    jobs = expect_list(document.get("jobPostings", []), adapter=NAME, path="$.jobPostings")
    records = [
        expect_object(job, adapter=NAME, path=f"$.jobPostings[{i}]") for i, job in enumerate(jobs)
    ]
    total = document.get("total")
    return records, total if isinstance(total, int) and not isinstance(total, bool) else None


def _fetched(url: str) -> datetime | None:
    """The fetch time the page's URL carries (`#fetched=<epoch seconds>`), if any (a page
    saved for `sources test --file` has none)."""
    values = parse_qs(urlsplit(url).fragment).get("fetched")
    return from_epoch(values[0], unit="s") if values else None


def posted_date(posted_on: str | None, fetched: datetime | None) -> datetime | None:
    """The day a job was posted (00:00 UTC), from "Posted N Days Ago" and the fetch time;
    None for "Posted 30+ Days Ago", other wording, or an unknown fetch time."""
    found = _POSTED_RE.match(posted_on.strip()) if posted_on and fetched else None
    if found is None or fetched is None:
        return None
    days = 0 if found[1] else 1 if found[2] else int(found[3])
    day = (fetched - timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _posting(
    job: Mapping[str, Any], path: str, site: CareerSite, company: str, fetched: datetime | None
) -> RawPosting:
    external = text(job.get("externalPath"))
    bullets = texts(job.get("bulletFields"))
    posted_on = text(job.get("postedOn"))
    return RawPosting(
        title=require_text(job, "title", adapter=NAME, path=path).strip(),
        guid=external,
        url=f"{site.home}{external}" if external and external.startswith("/") else None,
        company=company,
        location=text(job.get("locationsText")),
        posted_at=posted_date(posted_on, fetched),
        remote=text(job.get("remoteType")),
        extra={
            "posted_on": posted_on,
            "bullet_fields": list(bullets),
            "time_type": text(job.get("timeType")),
        },
    )
