"""The JSON toolkit of the adapters: one conditional GET, decoding, shape checks, field readers,
query strings."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import httpx

from aggregator import redact
from aggregator.adapters.base import Adapter, FetchResult, FetchState
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient

__all__ = [
    "ACCEPT_JSON",
    "TOKEN_PATTERN",
    "QueryValue",
    "company_from_token",
    "decode_json",
    "expect_list",
    "expect_object",
    "fetch_json",
    "http_base_url",
    "json_type",
    "load_json",
    "require_text",
    "text",
    "texts",
    "with_query",
]

ACCEPT_JSON = "application/json"
# Board tokens and site names become one path segment: no slashes, dots alone or spaces.
TOKEN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
_TOKEN_SEPARATORS = re.compile(r"[-_.]+")

QueryValue = str | int | float | bool
Params = Mapping[str, QueryValue | Sequence[QueryValue] | None]
_JSON_TYPES = {
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "list",
    dict: "object",
}


async def fetch_json(
    adapter: Adapter[Any],
    client: HttpClient,
    state: FetchState,
    url: str,
    *,
    missing: str,
    missing_statuses: Collection[int] = (404,),
) -> FetchResult:
    """A conditional GET of one JSON document; a status in `missing_statuses` means the board
    named in the options does not exist, so the error says that (`missing`) instead of a bare
    HTTP status."""
    try:
        return await adapter.fetch_conditional(client, state, url, headers={"Accept": ACCEPT_JSON})
    except FetchError as exc:
        if exc.status in missing_statuses:
            # FetchError's own message holds a URL without its query string: safe to repeat.
            raise FetchError(f"{adapter.name}: {missing} ({exc})", status=exc.status) from None
        raise


def decode_json(body: bytes) -> Any:
    """json.loads, except that a number Python refuses to read (int() takes at most 4,300
    digits) reads as null: one hostile field must not cost the page, nor tell the user to
    change an interpreter setting. ValueError for what is not JSON."""
    return json.loads(body, parse_int=_int_or_none)


def _int_or_none(digits: str) -> int | None:
    return int(digits) if len(digits.lstrip("-")) <= sys.get_int_max_str_digits() else None


def load_json(body: bytes, *, adapter: str) -> Any:
    """The decoded document, or SourceError saying what came instead of JSON."""
    try:
        return decode_json(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise SourceError(
            f"{adapter}: expected a JSON document, got {_not_json(body, exc)}"
        ) from None


def _not_json(body: bytes, exc: ValueError) -> str:
    head = body[:256].lstrip().lower()
    if not head:
        return "an empty body"
    if head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    return "bytes that are not UTF-8 text"


def json_type(value: object, *, article: bool = True) -> str:
    """The JSON name of a decoded value's type, for error messages: `an object`, `null` (or
    `object` without the article, where the message reads better so: `got list`)."""
    if value is None:
        return "null"
    name = next((n for kind, n in _JSON_TYPES.items() if isinstance(value, kind)), "object")
    if not article:
        return name
    return f"an {name}" if name == "object" else f"a {name}"


def expect_list(value: object, *, adapter: str, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise SourceError(f"{adapter}: expected a list at {path}, got {json_type(value)}")
    return value


def expect_object(value: object, *, adapter: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SourceError(f"{adapter}: expected an object at {path}, got {json_type(value)}")
    return value


def require_text(record: Mapping[str, Any], key: str, *, adapter: str, path: str) -> str:
    """A field without which a record is not a posting (its title): missing is a shape error."""
    value = record.get(key)
    if not isinstance(value, str):
        raise SourceError(f"{adapter}: expected a string at {path}.{key}, got {json_type(value)}")
    return value


# Optional fields are read leniently: a wrong type reads as absent, so one odd record does not
# cost the whole board.


def text(value: object) -> str | None:
    """A non-empty string (numbers, such as numeric ids, as their digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def texts(values: object, *, key: str | None = None) -> tuple[str, ...]:
    """The strings of a list, or the `key` strings of a list of objects; others are skipped."""
    if not isinstance(values, list):
        return ()
    items = (v.get(key) if key is not None and isinstance(v, dict) else v for v in values)
    found = (text(item) for item in items)
    return tuple(item for item in found if item is not None)


def with_query(url: str, params: Params) -> str:
    """The URL with `params` set in its query string: same names replaced (a next page's
    number), lists repeated, None values skipped, YAML `true` sent as `true`."""
    given = {name: _query_value(value) for name, value in params.items() if value is not None}
    if not given:
        return url
    return str(httpx.URL(url).copy_merge_params(given))


def _query_value(value: QueryValue | Sequence[QueryValue]) -> str | list[str]:
    if isinstance(value, QueryValue):
        return _query_scalar(value)
    return [_query_scalar(item) for item in value]


def _query_scalar(value: QueryValue) -> str:
    # YAML `true` becomes `true`, as APIs expect, not Python's `True`.
    return str(value).lower() if isinstance(value, bool) else str(value)


def http_base_url(value: str) -> str:
    """An `api_base` option: an http(s) URL without a trailing slash (pydantic validator)."""
    if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", value, re.IGNORECASE):
        shown = redact.scrub(repr(value))
        raise ValueError(f"expected an http:// or https:// URL without query, got {shown}")
    return value.rstrip("/")


def company_from_token(token: str) -> str:
    """A readable stand-in for a company name from a board token: `acme-labs` -> `Acme Labs`."""
    return " ".join(word.capitalize() for word in _TOKEN_SEPARATORS.split(token) if word)
