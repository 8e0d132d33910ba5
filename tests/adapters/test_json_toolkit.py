"""The adapters' one JSON toolkit: type names for messages, query strings, multi-page results."""

from __future__ import annotations

import pytest

from aggregator.adapters._json import json_type, with_query
from aggregator.adapters.base import FetchResult, FetchState, Page, combined_hash


@pytest.mark.parametrize(
    ("value", "named", "bare"),
    [
        (None, "null", "null"),
        (True, "a boolean", "boolean"),
        (3, "a number", "number"),
        (2.5, "a number", "number"),
        ("x", "a string", "string"),
        ([], "a list", "list"),
        ({}, "an object", "object"),
    ],
)
def test_json_type_names_a_value_with_or_without_its_article(
    value: object, named: str, bare: str
) -> None:
    assert json_type(value) == named
    assert json_type(value, article=False) == bare


def test_with_query_replaces_same_names_repeats_lists_and_skips_none() -> None:
    url = "https://board.example/api?page=1&q=a+b"
    assert with_query(url, {"page": 2}) == "https://board.example/api?page=2&q=a+b"
    assert with_query(url, {"tag": None}) == url
    assert with_query("https://x.example/p", {"team": ["A B", "C"], "remote": True}) == (
        "https://x.example/p?team=A+B&team=C&remote=true"
    )


def test_a_multi_page_result_is_not_modified_when_its_hash_is_the_last_one() -> None:
    pages = [Page("https://x.example/1", b"one"), Page("https://x.example/2", b"two")]
    first = FetchResult.of_pages(pages, FetchState())
    again = FetchResult.of_pages(pages, FetchState(content_hash=first.content_hash))

    assert first.pages == tuple(pages)
    assert not first.not_modified
    assert first.content_hash == combined_hash(pages)
    assert again.pages == ()
    assert again.not_modified
    assert FetchResult.of_pages(pages, FetchState(), digest="d").content_hash == "d"
