"""Adzuna job search: json_api with the keys as parameters and the page number in the path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar, Final, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field

from aggregator.adapters.base import AdapterOptions, FetchResult, FetchState
from aggregator.adapters.json_api import BaseJsonApiAdapter, JsonApiOptions
from aggregator.adapters.json_api_templated import explain_http_errors
from aggregator.adapters.json_pagination import PagePagination, PageView
from aggregator.config.model import SourceConfig
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["CURRENCIES", "AdzunaAdapter", "AdzunaOptions", "PathPagePagination"]

Country = Literal[
    "at", "au", "be", "br", "ca", "ch", "de", "es", "fr", "gb", "in", "it", "mx", "nl", "nz",
    "pl", "sg", "us", "za",
]  # fmt: skip
# Adzuna gives salaries as bare annual numbers in the currency of the country searched.
CURRENCIES: Final[dict[str, str]] = {
    "at": "EUR", "au": "AUD", "be": "EUR", "br": "BRL", "ca": "CAD", "ch": "CHF", "de": "EUR",
    "es": "EUR", "fr": "EUR", "gb": "GBP", "in": "INR", "it": "EUR", "mx": "MXN", "nl": "EUR",
    "nz": "NZD", "pl": "PLN", "sg": "SGD", "us": "USD", "za": "ZAR",
}  # fmt: skip
MAX_RESULTS_PER_PAGE = 50
_REJECTED = (401, 403)


class AdzunaOptions(JsonApiOptions):
    """json_api's options (search filters such as `what` and `where` go in `params`), plus the
    application's keys and the country to search."""

    app_id: str = Field(min_length=1, repr=False)
    app_key: str = Field(min_length=1, repr=False)
    country: Country = Field(description="the Adzuna site to search: gb, us, de ...")
    results_per_page: int = Field(MAX_RESULTS_PER_PAGE, ge=1, le=MAX_RESULTS_PER_PAGE)


class PathPagePagination(PagePagination):
    """`/search/{page}`: the number is the last path segment; stops at a short page or once
    `count` results have been fetched."""

    def first_url(self, url: str) -> str:
        return _with_page(url, self.start)

    def next_url(self, page: PageView) -> str | None:
        size = self.size or MAX_RESULTS_PER_PAGE
        total = page.document.get("count") if isinstance(page.document, Mapping) else None
        if page.records < size or (isinstance(total, int) and (page.number + 1) * size >= total):
            return None
        return _with_page(page.url, self.start + page.number + 1)


class AdzunaAdapter(BaseJsonApiAdapter[AdzunaOptions]):
    """Adzuna's search API; the catalogue entry holds the records path and the field map."""

    name: ClassVar[str] = "adzuna"
    Options: ClassVar[type[AdapterOptions]] = AdzunaOptions

    def __init__(self, source: SourceConfig) -> None:
        super().__init__(source)
        options = self.options
        # The keys travel in the query string, as Adzuna requires; HttpClient's messages and
        # json_api's stored page URLs both drop the query, so they go no further.
        keys = {"app_id": options.app_id, "app_key": options.app_key}
        size = options.results_per_page
        self.options = options.model_copy(
            update={
                "params": {**options.params, **keys, "results_per_page": size},
                "pagination": PathPagePagination(type="page", start=1, size=size),
                "constants": {"currency": CURRENCIES[options.country], **options.constants},
            }
        )

    @property
    def url(self) -> str:
        return f"{super().url.rstrip('/')}/{self.options.country}/search/1"

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        with explain_http_errors(_REJECTED, f"{self.label}: app_id or app_key was rejected"):
            return await super().fetch(client, state)

    def _posting(self, record: Mapping[str, Any], index: int, page_url: str) -> RawPosting:
        posting = super()._posting(record, index, page_url)
        # Adzuna estimates a salary when the ad gives none: kept, and marked as estimated.
        predicted = record.get("salary_is_predicted")
        extra = {"salary_is_predicted": predicted == "1"} if predicted is not None else {}
        return replace(
            posting, employment_type=employment_type(record), extra={**posting.extra, **extra}
        )


def employment_type(record: Mapping[str, Any]) -> str | None:
    """`contract_type` (permanent, contract) and `contract_time` (full_time, part_time) in one
    hint: "contract, full_time" reads as contract, "permanent, part_time" as part-time."""
    kinds = (record.get("contract_type"), record.get("contract_time"))
    return ", ".join(kind for kind in kinds if isinstance(kind, str) and kind.strip()) or None


def _with_page(url: str, number: int) -> str:
    parts = urlsplit(url)
    path = f"{parts.path.rsplit('/', 1)[0]}/{number}"
    return urlunsplit(parts._replace(path=path))
