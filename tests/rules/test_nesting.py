"""Deeply nested queries: a syntax error at the column where the nesting passes the limit."""

from __future__ import annotations

import pytest

from aggregator.rules import (
    MAX_QUERY_CHARS,
    MAX_QUERY_DEPTH,
    MatchDocument,
    PreparedDocument,
    QuerySyntaxError,
    check_query,
    compile,
)

DOC = MatchDocument(title="Data gig", company=None, location=None, description="remote work")


def nested(depth: int, opening: str, closing: str = "") -> str:
    return opening * depth + "data" + closing * depth


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("(", ")"), ("NOT ", ""), ("-", ""), ("-(", ")"), ("NOT (", ")"), ("(gig OR ", ")")],
)
def test_a_query_nested_past_the_limit_is_a_syntax_error_not_a_recursion_error(
    opening: str, closing: str
) -> None:
    query = nested(2000, opening, closing)  # far past the limit, within MAX_QUERY_CHARS
    with pytest.raises(QuerySyntaxError) as caught:
        compile(query)
    assert f"nested more than {MAX_QUERY_DEPTH} levels" in caught.value.message
    # the column where the limit was passed: inside the first few hundred characters
    assert caught.value.position <= (MAX_QUERY_DEPTH + 1) * len(opening) + 1
    assert check_query(query) == str(caught.value)


@pytest.mark.parametrize(("opening", "closing"), [("(", ")"), ("NOT ", ""), ("-(", ")")])
def test_nesting_up_to_the_limit_parses_and_matches(opening: str, closing: str) -> None:
    negations = opening.count("NOT") + opening.count("-")
    repeats = MAX_QUERY_DEPTH // (negations + opening.count("("))
    compiled = compile(nested(repeats, opening, closing))
    expected = (negations * repeats) % 2 == 0
    assert compiled.matches_prepared(PreparedDocument.from_document(DOC)) is expected
    assert (compiled.explain(DOC) is not None) is expected
    assert compile(compiled.canonical).canonical == compiled.canonical


def test_long_flat_queries_are_not_nesting() -> None:
    query = " OR ".join(f"word{n}" for n in range(1500)) + " OR data"
    assert compile(query).explain(DOC) is not None


def test_a_query_longer_than_the_limit_is_refused_before_parsing() -> None:
    query = " OR ".join(f"word{n}" for n in range(MAX_QUERY_CHARS))
    with pytest.raises(QuerySyntaxError, match=f"longer than {MAX_QUERY_CHARS} characters"):
        compile(query)
    assert compile(query[: query.rindex(" OR ", 0, MAX_QUERY_CHARS)])
