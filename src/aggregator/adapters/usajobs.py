"""USAJOBS (US federal jobs): json_api with the API key and the registered e-mail as headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar, Final

from pydantic import Field

from aggregator.adapters.base import AdapterOptions, FetchResult, FetchState
from aggregator.adapters.json_api import BaseJsonApiAdapter, JsonApiOptions
from aggregator.adapters.json_api_templated import explain_http_errors
from aggregator.config.model import SourceConfig
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["RATE_INTERVALS", "UsajobsAdapter", "UsajobsOptions", "pay_period"]

# USAJOBS's RateIntervalCode code list. BW (bi-weekly), FB (fee basis), SY (school year) and
# WC (without compensation) have no period of ours: normalization leaves their period unknown.
RATE_INTERVALS: Final[dict[str, str]] = {
    "PA": "year",
    "PH": "hour",
    "PD": "day",
    "PW": "week",
    "PM": "month",
}
_REJECTED = (401, 403)


class UsajobsOptions(JsonApiOptions):
    """json_api's options, plus the two credentials USAJOBS asks for on every request."""

    api_key: str = Field(min_length=1, repr=False, description="the Authorization-Key")
    email: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="the e-mail address registered with the API, sent as the User-Agent",
    )


class UsajobsAdapter(BaseJsonApiAdapter[UsajobsOptions]):
    """The USAJOBS Search API; the catalogue entry holds the records path and field map."""

    name: ClassVar[str] = "usajobs"
    Options: ClassVar[type[AdapterOptions]] = UsajobsOptions

    def __init__(self, source: SourceConfig) -> None:
        super().__init__(source)
        options = self.options
        # No explicit `Host` header (the API's examples show one): the client sends the URL's
        # host, which is data.usajobs.gov in production and the test server's in tests.
        credentials = {"User-Agent": options.email, "Authorization-Key": options.api_key}
        self.options = options.model_copy(update={"headers": {**options.headers, **credentials}})

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        reason = f"{self.label}: the API key or the e-mail was rejected"
        with explain_http_errors(_REJECTED, reason):
            return await super().fetch(client, state)

    def _posting(self, record: Mapping[str, Any], index: int, page_url: str) -> RawPosting:
        posting = super()._posting(record, index, page_url)
        return replace(posting, pay_period=pay_period(posting.pay_period))


def pay_period(code: str | None) -> str | None:
    """A period word for a RateIntervalCode ("PA" -> "year"); other text is kept for
    normalization (the older API wrote "Per Year")."""
    if code is None:
        return None
    return RATE_INTERVALS.get(code.strip().upper(), code)
