"""ATS job boards on json_api: a board token from the options fills `{board}` in the URL."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, ClassVar, Final
from urllib.parse import quote

from pydantic import AfterValidator, Field

from aggregator.adapters._json import TOKEN_PATTERN, company_from_token, text
from aggregator.adapters.base import AdapterOptions, FetchResult, FetchState
from aggregator.adapters.json_api import BaseJsonApiAdapter, JsonApiOptions
from aggregator.adapters.json_paths import JsonPath, check_path
from aggregator.dates import parse_date
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient, safe_url
from aggregator.models import RawPosting

__all__ = [
    "BOARD_PLACEHOLDER",
    "TemplatedJsonApiAdapter",
    "TemplatedJsonApiOptions",
    "explain_http_errors",
]

BOARD_PLACEHOLDER: Final = "{board}"
_UTC_SUFFIX: Final = " UTC"


class TemplatedJsonApiOptions(JsonApiOptions):
    """json_api's options, plus the board token that names the company in the board's URL."""

    board: str = Field(
        pattern=TOKEN_PATTERN,
        description="the board token: the company's name in its board's URL "
        "(jobs.ashbyhq.com/<board>, <board>.recruitee.com ...)",
    )
    company: str | None = Field(
        None,
        description="company name; default: each record's, else the one at `company_path` "
        "in the document, else the board token title-cased (`acme-labs` -> `Acme Labs`)",
    )
    company_path: Annotated[str, AfterValidator(check_path)] | None = Field(
        None, description="where the whole document (not each record) names the company"
    )


class TemplatedJsonApiAdapter(BaseJsonApiAdapter[TemplatedJsonApiOptions]):
    """A json_api source whose URL holds `{board}`, filled from the `board` option."""

    name: ClassVar[str] = "json_api_templated"
    Options: ClassVar[type[AdapterOptions]] = TemplatedJsonApiOptions
    lists_whole_board: ClassVar[bool] = True
    origin: ClassVar[str] = "ats"

    @property
    def url(self) -> str:
        template = super().url
        if BOARD_PLACEHOLDER not in template:
            raise SourceError(
                f"{self.label}: the url needs a {BOARD_PLACEHOLDER} placeholder for the board "
                f"token, got {safe_url(template)}"
            )
        # The pattern already forbids `/`, `?` and `#`; quoting keeps it one segment regardless.
        return template.replace(BOARD_PLACEHOLDER, quote(self.options.board, safe=""))

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        board = self.options.board
        with explain_http_errors((404,), f"{self.label}: there is no board {board!r}"):
            return await super().fetch(client, state)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        document = self._decode(body)
        company = self._document_company(document)
        records = self._records(document)
        return [
            self._completed(self._posting(record, index, url), record, company)
            for index, record in enumerate(records)
        ]

    def _document_company(self, document: Any) -> str:
        options = self.options
        found = (
            JsonPath.compile(options.company_path).resolve(document)
            if options.company_path
            else None
        )
        return text(found) or company_from_token(options.board)

    def _completed(
        self, posting: RawPosting, record: Mapping[str, Any], document_company: str
    ) -> RawPosting:
        options = self.options
        return replace(
            posting,
            company=options.company or posting.company or document_company,
            posted_at=posting.posted_at or self._utc_suffixed_date(record),
            deadline=_utc_suffixed(posting.deadline) or posting.deadline,
        )

    def _utc_suffixed_date(self, record: Mapping[str, Any]) -> datetime | None:
        for path in self.field_paths.get("posted_at", ()):
            if found := _utc_suffixed(path.resolve(record)):
                return found
        return None


def _utc_suffixed(value: object) -> datetime | None:
    """`2026-09-29 16:02:37 UTC` (Recruitee's dates), which ISO 8601 parsers refuse."""
    if not isinstance(value, str) or not value.strip().endswith(_UTC_SUFFIX):
        return None
    return parse_date(value.strip().removesuffix(_UTC_SUFFIX), "iso")  # naive means UTC


@contextmanager
def explain_http_errors(statuses: Collection[int], reason: str) -> Iterator[None]:
    """Turn an FetchError with one of `statuses` into one that says what it means for the user
    (an unknown board, a rejected key); its own message keeps a URL without its query."""
    try:
        yield
    except FetchError as exc:
        if exc.status not in statuses:
            raise
        raise FetchError(f"{reason} ({exc})", status=exc.status) from None
