"""SimplifyJobs' internship and new-grad lists on GitHub (`.github/scripts/listings*.json`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, Literal

from pydantic import Field

from aggregator.adapters._json import (
    expect_list,
    expect_object,
    fetch_json,
    load_json,
    require_text,
    text,
    texts,
)
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState
from aggregator.dates import from_epoch
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["LISTS", "SimplifyAdapter", "SimplifyOptions"]

NAME = "simplify"
_RAW = "https://raw.githubusercontent.com/SimplifyJobs"
# The internship repository is renamed every season (Summer2025-, Summer2026-Internships):
# a source's `url` points at another season's file. `dev` is the branch the lists live on.
LISTS: Final = {
    "summer": f"{_RAW}/Summer2026-Internships/dev/.github/scripts/listings.json",
    "offseason": f"{_RAW}/Summer2026-Internships/dev/.github/scripts/listings-off-season.json",
    "newgrad": f"{_RAW}/New-Grad-Positions/dev/.github/scripts/listings.json",
}
_EMPLOYMENT: Final = {"summer": "internship", "offseason": "internship", "newgrad": "full-time"}
# One listing names several places ("McLean, VA", "Plano, TX"): a comma would run them together.
_PLACES_SEPARATOR = "; "


class SimplifyOptions(AdapterOptions):
    list: Literal["summer", "offseason", "newgrad"] = Field(
        "summer",
        description="summer internships, off-season (fall, winter, spring) internships or "
        "new-grad positions; a source's url overrides the file",
    )


class SimplifyAdapter(Adapter[SimplifyOptions]):
    """One SimplifyJobs list: every listing the list still shows (active and visible) is a
    posting; an inactive or hidden one is left out, so a complete fetch closes it."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = SimplifyOptions
    needs_url: ClassVar[bool] = False
    lists_whole_board: ClassVar[bool] = True
    origin: ClassVar[str] = "board"

    @property
    def url(self) -> str:
        return self.source.url or LISTS[self.options.list]

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        # The file is several MB: the conditional GET (ETag) spares it when nothing changed.
        missing = (
            f"no list at {self.url}: the repository or the file moved "
            "(a new season has a new repository: set the source's url)"
        )
        return await fetch_json(self, client, state, self.url, missing=missing)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        root = expect_list(load_json(body, adapter=NAME), adapter=NAME, path="$")
        records = [expect_object(item, adapter=NAME, path=f"$[{i}]") for i, item in enumerate(root)]
        return [
            self._posting(record, f"$[{i}]") for i, record in enumerate(records) if _open(record)
        ]

    def _posting(self, record: Mapping[str, Any], path: str) -> RawPosting:
        terms = texts(record.get("terms"))
        places = texts(record.get("locations"))
        return RawPosting(
            title=require_text(record, "title", adapter=NAME, path=path).strip(),
            guid=text(record.get("id")),
            url=text(record.get("url")),
            company=text(record.get("company_name")),
            location=_PLACES_SEPARATOR.join(places) or None,
            tags=terms,
            posted_at=from_epoch(record.get("date_posted"), unit="s"),
            employment_type=_EMPLOYMENT[self.options.list],
            extra={
                "sponsorship": text(record.get("sponsorship")),
                "terms": list(terms),
                "locations": list(places),
                "season": text(record.get("season")),
                "category": text(record.get("category")),
                "degrees": list(texts(record.get("degrees"))),
                "company_url": text(record.get("company_url")),
                "list_source": text(record.get("source")),
                "date_updated": _iso(record.get("date_updated")),
            },
        )


def _open(record: Mapping[str, Any]) -> bool:
    """Whether the list still shows the listing: `active: false` is its closed mark (a lock
    in the README), `is_visible: false` a listing taken off the list."""
    return record.get("active") is not False and record.get("is_visible") is not False


def _iso(epoch: object) -> str | None:
    moment = from_epoch(epoch, unit="s")
    return moment.isoformat() if moment else None
