"""Properties of the query language over generated queries and documents (needs hypothesis)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("hypothesis")

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.rules import MatchDocument, QuerySyntaxError, check_query, compile

WORDS = ["data", "gig", "remote", "senior", "café", "C++", "part-time", "Node.js", "zürich"]
TAGS = ["remote", "MicroInternship", "micro_internship", "gig"]
SEPARATORS = [" ", "-", ", ", ". ", "\n", "/"]

words = st.sampled_from(WORDS)
terms = st.one_of(
    words,
    st.lists(words, min_size=1, max_size=2).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.sampled_from(TAGS).map(lambda tag: "#" + tag),
)
queries = st.recursive(
    terms,
    lambda inner: st.one_of(
        inner.map(lambda q: f"-({q})"),
        inner.map(lambda q: f"NOT ({q})"),
        st.tuples(inner, inner).map(lambda ab: f"({ab[0]}) ({ab[1]})"),
        st.tuples(inner, inner).map(lambda ab: f"({ab[0]}) OR ({ab[1]})"),
    ),
    max_leaves=6,
)


@st.composite
def documents(draw: st.DrawFn) -> MatchDocument:
    pieces = draw(st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=8))
    text = "".join(word + sep for word, sep in pieces)
    hashtags = " ".join("#" + tag for tag in draw(st.lists(st.sampled_from(TAGS), max_size=2)))
    tags = tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2)))
    return MatchDocument("Role", None, None, f"{text} {hashtags}", tags, ("board",))


def _matches(query: str, doc: MatchDocument) -> bool:
    return compile(query).explain(doc) is not None


@settings(max_examples=300)
@given(queries, queries, documents())
def test_a_or_b_matches_whatever_a_matches(a: str, b: str, doc: MatchDocument) -> None:
    if _matches(a, doc):
        assert _matches(f"({a}) OR ({b})", doc)


@settings(max_examples=300)
@given(queries, queries, documents())
def test_nothing_matches_both_a_minus_b_and_b(a: str, b: str, doc: MatchDocument) -> None:
    assert not (_matches(f"({a}) -({b})", doc) and _matches(b, doc))


@settings(max_examples=300)
@given(queries, documents())
def test_canonical_form_compiles_to_the_same_query(query: str, doc: MatchDocument) -> None:
    compiled = compile(query)
    again = compile(compiled.canonical)
    assert again.canonical == compiled.canonical
    assert (again.explain(doc) is None) == (compiled.explain(doc) is None)


@settings(max_examples=500)
@given(st.text(alphabet='ab -#"()ORANDT*:é\t', max_size=20))
def test_any_text_either_compiles_or_names_a_column_inside_the_query(query: str) -> None:
    message = check_query(query)
    if message is None:
        compile(query)
        return
    found = re.fullmatch(r"col (\d+): .+", message)
    assert found is not None
    assert 1 <= int(found.group(1)) <= len(query) + 1
    with pytest.raises(QuerySyntaxError):
        compile(query)
