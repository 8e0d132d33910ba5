"""The compiled matcher agrees with evaluating each rule on its own (needs hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("hypothesis")

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.models import JobDetails, Listing
from aggregator.rules import Matcher, Rule, compile, document_from_listing

NOW = datetime(2025, 3, 1, tzinfo=UTC)
WORDS = ["data", "gig", "remote", "senior", "café", "C++", "part-time", "Node.js", "intern"]
FIELD_TERMS = [
    "title:data",
    'company:"acme corp"',
    "intern*",
    "title:sen*",
    "#micro*",
    "source:a",
    "source:b",
    "type:gig",
    "type:part-time",
    "remote:yes",
    "remote:no",
    "pay>=25/h",
    "pay<=40000/y",
    "pay:unknown",
    "hours<=40",
    "age<=3d",
    "deadline>=7d",
    "regex:/da+ta/",
]
TAGS = ["remote", "MicroInternship", "micro_internship", "gig"]
SEPARATORS = [" ", "-", ", ", "\n", "/"]

terms = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(FIELD_TERMS),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(lambda w: '"' + " ".join(w) + '"'),
    st.sampled_from(TAGS).map(lambda tag: "#" + tag),
)
queries = st.recursive(
    terms,
    lambda inner: st.one_of(
        inner.map(lambda q: f"-({q})"),
        st.tuples(inner, inner).map(lambda ab: f"({ab[0]}) ({ab[1]})"),
        st.tuples(inner, inner).map(lambda ab: f"({ab[0]}) OR ({ab[1]})"),
    ),
    max_leaves=5,
)
scopes = st.one_of(st.none(), st.sets(st.sampled_from(["a", "b", "c"])).map(frozenset))


@st.composite
def listings(draw: st.DrawFn) -> Listing:
    pieces = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS))))
    text = "".join(word + sep for word, sep in pieces)
    hashtags = " ".join("#" + tag for tag in draw(st.lists(st.sampled_from(TAGS), max_size=2)))
    pay = draw(st.one_of(st.none(), st.integers(5, 80)))
    job = JobDetails(
        remote=draw(st.sampled_from(["yes", "no", "unknown"])),
        employment_type=draw(st.sampled_from([None, "gig", "part-time", "contract"])),
        pay_min=None if pay is None else float(pay),
        pay_max=None if pay is None else float(pay + draw(st.integers(0, 20))),
        pay_period=draw(st.sampled_from(["hour", "year", "project", None])),
        duration_max_hours=draw(st.one_of(st.none(), st.floats(1, 200))),
        deadline=draw(st.one_of(st.none(), st.just(NOW + timedelta(days=9)))),
    )
    return Listing(
        id=1,
        title=draw(st.sampled_from(["Data intern", "Senior gig", "Role"])),
        url=None,
        company=draw(st.sampled_from([None, "Acme Corp", "Other"])),
        location=None,
        description=f"{text} {hashtags}",
        tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
        posted_at=NOW - timedelta(days=draw(st.integers(0, 6))),
        first_seen_at=NOW,
        sources=tuple(draw(st.sets(st.sampled_from(["a", "b", "c"]), min_size=1))),
        job=job,
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(queries, scopes), min_size=1, max_size=8), listings())
def test_compiled_matcher_agrees_with_each_rule_evaluated_alone(
    specs: list[tuple[str, frozenset[str] | None]], listing: Listing
) -> None:
    rules = [Rule(f"r{n}", compile(query), scope) for n, (query, scope) in enumerate(specs)]
    doc = document_from_listing(listing)
    alone = [
        (rule.name, why)
        for rule in rules
        if rule.watches(frozenset(listing.sources))
        and (why := rule.query.explain(doc, now=NOW)) is not None
    ]
    found = Matcher(rules).match(listing, now=NOW)
    assert [(m.rule, m.why) for m in found] == alone


@settings(max_examples=300, deadline=None)
@given(queries, queries, listings())
def test_a_or_b_matches_whatever_a_matches_with_fields(a: str, b: str, listing: Listing) -> None:
    doc = document_from_listing(listing)
    if compile(a).explain(doc, now=NOW) is not None:
        assert compile(f"({a}) OR ({b})").explain(doc, now=NOW) is not None


@settings(max_examples=300, deadline=None)
@given(queries, queries, listings())
def test_nothing_matches_both_a_minus_b_and_b_with_fields(a: str, b: str, listing: Listing) -> None:
    doc = document_from_listing(listing)
    both = compile(f"({a}) -({b})").explain(doc, now=NOW), compile(b).explain(doc, now=NOW)
    assert None in both


@settings(max_examples=300, deadline=None)
@given(queries, listings())
def test_canonical_form_of_any_query_matches_the_same(query: str, listing: Listing) -> None:
    doc = document_from_listing(listing)
    compiled = compile(query)
    again = compile(compiled.canonical)
    assert again.explain(doc, now=NOW) == compiled.explain(doc, now=NOW)
