"""The generic JSON API adapter: params, headers, a records path, a field map and pagination."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, ClassVar, Final, Generic, Literal, TypeVar
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from aggregator.adapters._json import QueryValue, decode_json, json_type, with_query
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState, Page
from aggregator.adapters.json_pagination import NoPagination, Pagination, fetch_pages
from aggregator.adapters.json_paths import MISSING, JsonPath, check_path
from aggregator.config.model import SourceConfig
from aggregator.dates import DateFormat, parse_date
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["BaseJsonApiAdapter", "JsonApiAdapter", "JsonApiOptions", "parse_date"]

FieldName = Literal[
    "id", "title", "company", "url", "posted_at", "location", "remote", "employment_type",
    "pay_min", "pay_max", "currency", "pay_period", "pay_text", "tags", "description",
    "deadline", "duration_text",
]  # fmt: skip
PathText = Annotated[str, AfterValidator(check_path)]
# One path, or several of which the first that gives something wins.
Paths = Annotated[list[PathText], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]
Constant = str | int | float | bool | list[str]

MAX_RECORDS = 5000
MAX_TAGS = 50
_TEXT_FIELDS: Final = (
    "company", "location", "employment_type", "currency", "pay_period", "pay_text",
    "description", "duration_text",
)  # fmt: skip
_ACCEPT = "application/json, */*;q=0.5"
_TITLE_ONLY: Final[dict[FieldName, list[str]]] = {"title": ["title"]}


class JsonApiOptions(AdapterOptions):
    """The `options:` of a json_api source (dlt's REST source is the model)."""

    params: dict[str, QueryValue | list[QueryValue]] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    records: PathText = ""
    fields: dict[FieldName, Paths] = Field(default_factory=lambda: dict(_TITLE_ONLY))
    url_template: str | None = None
    constants: dict[FieldName, Constant] = Field(default_factory=dict)
    date_format: DateFormat = "auto"
    pagination: Pagination = Field(default_factory=NoPagination)
    max_pages: int = Field(5, ge=1, le=100)

    @field_validator("fields")
    @classmethod
    def _title_is_mapped(cls, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        if not fields.get("title"):
            raise ValueError("map `title` to the path of each record's title")
        return fields

    @field_validator("url_template")
    @classmethod
    def _template_keys_are_paths(cls, template: str | None) -> str | None:
        for key in _template_keys(template or ""):
            check_path(key)
        return template


JsonOptionsT = TypeVar("JsonOptionsT", bound=JsonApiOptions)


class BaseJsonApiAdapter(Adapter[JsonOptionsT], Generic[JsonOptionsT]):
    """Any JSON API whose records can be found and mapped with paths; the boards built on
    json_api (ATS boards, Adzuna, USAJOBS) extend it with their own options."""

    Options: ClassVar[type[AdapterOptions]] = JsonApiOptions

    def __init__(self, source: SourceConfig) -> None:
        super().__init__(source)
        options = self.options
        self._records_path = JsonPath.compile(options.records)
        self.field_paths: dict[str, tuple[JsonPath, ...]] = {
            name: tuple(JsonPath.compile(path) for path in paths)
            for name, paths in options.fields.items()
        }
        # Named in messages: a catalogue board says which board it is.
        adapter = source.adapter
        self.label = self.name if adapter == self.name else f"{adapter} ({self.name})"

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        options = self.options
        first = options.pagination.first_url(with_query(self.url, options.params))
        given = {name.lower() for name in options.headers}
        headers = {**({} if "accept" in given else {"Accept": _ACCEPT}), **options.headers}
        if isinstance(options.pagination, NoPagination) or options.max_pages == 1:
            result = await self.fetch_conditional(client, state, first, headers=headers)
            return replace(result, pages=tuple(_without_query(page) for page in result.pages))
        pages = await fetch_pages(
            client,
            first,
            options.pagination,
            max_pages=options.max_pages,
            decode=self._decode,
            records=lambda document: len(self._records(document)),
            headers=headers,
            max_bytes=self.source.max_body_bytes,
        )
        result = FetchResult.of_pages([_without_query(page) for page in pages], state)
        # Stopped at max_pages: there may be more (the pages do not list the whole board).
        return replace(result, complete=len(pages) < options.max_pages)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        records = self._records(self._decode(body))
        return [self._posting(record, index, url) for index, record in enumerate(records)]

    def _decode(self, body: bytes) -> Any:
        try:
            return decode_json(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            head = body[:256].lstrip().lower()
            what = "an HTML page" if head.startswith((b"<!doctype", b"<html")) else str(exc)
            raise SourceError(f"{self.label}: expected JSON, got {what}") from None

    def _records(self, document: Any) -> list[Mapping[str, Any]]:
        """The records, checked to be objects, so that a batch is never half parsed."""
        path = self._records_path
        found = path.resolve(document)
        if not isinstance(found, list):
            where = f"at {path.text!r}" if path.text else "at the top level"
            got = (
                path.why_not(document)
                if found is MISSING
                else f"got {json_type(found, article=False)}"
            )
            raise SourceError(f"{self.label}: expected a list of records {where}, {got}")
        for index, record in enumerate(found[:MAX_RECORDS]):
            if not isinstance(record, Mapping):
                got = json_type(record, article=False)
                raise SourceError(f"{self.label}: expected an object at record {index}, got {got}")
        return found[:MAX_RECORDS]

    def _posting(self, record: Mapping[str, Any], index: int, page_url: str) -> RawPosting:
        values = _Values(self, record, index)
        options = self.options
        title = values.text("title")
        if not title:
            paths = " or ".join(repr(p.text) for p in self.field_paths["title"])
            raise SourceError(f"{self.label}: record {index} has no title at {paths}")
        link = values.text("url") or _from_template(options.url_template, record)
        texts = {name: values.text(name) for name in _TEXT_FIELDS}
        return RawPosting(
            title=title,
            guid=values.text("id"),
            url=urljoin(page_url, link) if link else None,
            company=texts["company"],
            location=texts["location"],
            description_html=texts["description"],
            tags=values.tags(),
            posted_at=parse_date(values.get("posted_at"), options.date_format),
            remote=values.remote(),
            employment_type=texts["employment_type"],
            pay_min=values.number("pay_min"),
            pay_max=values.number("pay_max"),
            currency=texts["currency"],
            pay_period=texts["pay_period"],
            pay_text=texts["pay_text"],
            duration_text=texts["duration_text"],
            deadline=values.deadline(options.date_format),
        )


class JsonApiAdapter(BaseJsonApiAdapter[JsonApiOptions]):
    """The json_api adapter itself: everything comes from the options."""

    name: ClassVar[str] = "json_api"


class _Values:
    """One record's mapped fields: the first path that gives something, else the constant."""

    def __init__(
        self, adapter: BaseJsonApiAdapter[Any], record: Mapping[str, Any], index: int
    ) -> None:
        self._adapter = adapter
        self._record = record
        self._index = index

    def get(self, name: str) -> Any:
        for path in self._adapter.field_paths.get(name, ()):
            value = path.resolve(self._record)
            if value is not MISSING and value is not None and value not in ("", []):
                return value
        return self._adapter.options.constants.get(name)

    def text(self, name: str) -> str | None:
        value = self.get(name)
        if isinstance(value, list):
            joined = ", ".join(filter(None, (self._scalar_text(name, item) for item in value)))
            return joined or None
        return self._scalar_text(name, value)

    def number(self, name: str) -> float | str | None:
        value = self.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return self.text(name)  # "72800", "$36k": normalization reads the text

    def remote(self) -> bool | str | None:
        value = self.get("remote")
        return value if isinstance(value, bool) else self.text("remote")

    def tags(self) -> tuple[str, ...]:
        value = self.get("tags")
        if isinstance(value, str):
            value = value.split(",")  # "python, django,remote"
        items = value if isinstance(value, list) else [value]
        tags = (self._scalar_text("tags", item) for item in items)
        # Some boards entity-escape tag text ("Marketing &amp; Sales"); a tag is never HTML.
        return tuple(dict.fromkeys(html.unescape(tag) for tag in tags if tag))[:MAX_TAGS]

    def deadline(self, date_format: DateFormat) -> datetime | str | None:
        value = self.get("deadline")
        return parse_date(value, date_format) or self.text("deadline")

    def _scalar_text(self, name: str, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value).strip() or None
        paths = " or ".join(repr(p.text) for p in self._adapter.field_paths.get(name, ()))
        raise SourceError(
            f"{self._adapter.label}: record {self._index}: expected text or a number at "
            f"{paths} ({name}), got {json_type(value, article=False)}"
        )


def _from_template(template: str | None, record: Mapping[str, Any]) -> str | None:
    """`https://board.example/jobs/{slug}` filled from the record; None if a key is missing."""
    if not template:
        return None
    values: dict[str, str] = {}
    for key in _template_keys(template):
        value = JsonPath.compile(key).resolve(record)
        if value is MISSING or value is None or isinstance(value, Mapping | list):
            return None
        values[key] = quote(str(value), safe="")
    return _fill(template, values)


def _template_keys(template: str) -> list[str]:
    return [part.split("}", 1)[0] for part in template.split("{")[1:]]


def _fill(template: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def _without_query(page: Page) -> Page:
    """Query strings may hold API keys (`api_key=`); links resolve the same without them."""
    parts = urlsplit(page.url)
    return replace(page, url=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
