"""Queries and documents with text no encoder takes (lone surrogates, NUL) still match."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.rules import MatchDocument, PreparedDocument, compile

NOW = datetime(2025, 3, 1, tzinfo=UTC)
DOC = MatchDocument(
    title="Data \ud800 gig",
    company="Nul\x00Co",
    location="Remote \udfff",
    description="python \ud83d\ude00 work",
    tags=("half\udfff",),
)


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("data gig", True),
        ("python", True),
        ("company:nulco", True),
        ("regex:/gig/", True),
        ('"😀 work"', True),
        ("title:senior", False),
        ("da\udcffta", False),  # a badly decoded argument: the surrogate becomes U+FFFD
        ("regex:/\udcff/", True),  # U+FFFD, as the document's own lone surrogate became
    ],
)
def test_queries_match_documents_holding_unencodable_text(query: str, matches: bool) -> None:
    compiled = compile(query)
    prepared = PreparedDocument.from_document(DOC, now=NOW)
    assert compiled.matches_prepared(prepared) is matches
    why = compiled.explain(DOC, now=NOW)
    assert (why is not None) is matches
    if why is not None:
        why.encode("utf-8")
