"""Text no store can refuse: lone surrogates, NUL and other unencodable text in any field."""

from __future__ import annotations

import dataclasses
import secrets
import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.models import RawPosting
from aggregator.normalize.postings import MAX_KEY_BYTES, dedup_key, normalize
from aggregator.text import clean_text, html_to_text

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOSTILE = "bad \ud800 half \udc00 pair \ud83d\ude00 nul \x00 end"
# Every character, lone surrogates (category Cs) and NUL included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text, ünïcödé 😀", "plain text, ünïcödé 😀"),
        ("a\ud800b", "a\ufffdb"),
        ("\udfff\ud800", "\ufffd\ufffd"),
        ("split \ud83d\ude00 pair", "split 😀 pair"),
        ("a\x00b\x00", "ab"),
        ("", ""),
    ],
)
def test_clean_text_replaces_lone_surrogates_joins_pairs_and_drops_nul(
    text: str, expected: str
) -> None:
    assert clean_text(text) == expected


@given(ANY_TEXT)
def test_clean_text_output_always_encodes_and_has_no_nul(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")
    assert "\x00" not in cleaned
    assert clean_text(cleaned) == cleaned


def _strings(value: object) -> Iterator[str]:
    """Every string inside a value: dataclass fields, tuples, lists and mappings included."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def _text_fields() -> list[str]:
    """The RawPosting fields that may hold a string: the test follows the model."""
    hints = typing.get_type_hints(RawPosting)
    return [name for name, hint in hints.items() if str in typing.get_args(hint) or hint is str]


def _hostile_raw(text: str) -> RawPosting:
    values: dict[str, Any] = {}
    for name in _text_fields():
        values[name] = f"<p>{text}</p>" if name == "description_html" else text
    values["tags"] = (text, f"#{text}")
    values["url"] = f"https://example.org/{text}"
    return RawPosting(**values)


def test_every_text_field_is_covered_by_the_check_below() -> None:
    assert {"title", "guid", "url", "company", "description_html", "pay_text"} <= set(
        _text_fields()
    )


@pytest.mark.parametrize("text", [HOSTILE, "\ud800", "\x00", "\udfff" * 300])
def test_a_posting_with_unencodable_text_in_every_field_normalizes_to_storable_text(
    text: str,
) -> None:
    posting = normalize(_hostile_raw(text), source="s", now=NOW)
    for value in _strings(posting):
        value.encode("utf-8")
        assert "\x00" not in value
    assert "\ufffd" in posting.title or text == "\x00"


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_any_text_in_any_field_normalizes_to_storable_text(text: str) -> None:
    posting = normalize(_hostile_raw(text), source="s", now=NOW)
    for value in _strings(posting):
        value.encode("utf-8")
        assert "\x00" not in value


def test_html_to_text_takes_unencodable_input_too() -> None:
    assert html_to_text("<p>a\ud800b\x00c</p>") == "a\ufffdbc"


def test_a_very_long_key_is_shortened_to_a_stable_digest() -> None:
    long_guid = "".join(secrets.choice("éあ😀x") for _ in range(1024))
    key = dedup_key(guid=long_guid, url=None, title="t", description="")
    assert len(key.encode()) <= MAX_KEY_BYTES
    assert key.startswith("guid-sha256:")
    assert key == dedup_key(guid=long_guid, url=None, title="other", description="")
    other = dedup_key(guid=long_guid + "!", url=None, title="t", description="")
    assert other != key
    long_url = "https://example.org/?state=" + secrets.token_urlsafe(3000)
    url_key = dedup_key(guid=None, url=long_url, title="t", description="")
    assert url_key.startswith("url-sha256:")
    assert len(url_key.encode()) <= MAX_KEY_BYTES


def test_short_keys_keep_their_readable_form() -> None:
    assert dedup_key(guid="job-1", url=None, title="t", description="") == "guid:job-1"
    url = "https://example.org/" + "a" * 1500
    assert dedup_key(guid=None, url=url, title="t", description="") == f"url:{url}"
