"""Matcher: every rule over a listing, within each rule's sources scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.models import JobDetails, Listing, Match
from aggregator.rules import (
    MatchDocument,
    Matcher,
    PreparedDocument,
    Rule,
    compile,
    document_from_listing,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _listing(
    title: str = "Data intern",
    description: str = "Remote. #MicroInternship",
    *,
    sources: tuple[str, ...] = ("boardA",),
    company: str | None = "Acme",
    location: str | None = "Zürich",
    tags: tuple[str, ...] = (),
) -> Listing:
    return Listing(
        id=7,
        title=title,
        url=None,
        company=company,
        location=location,
        description=description,
        tags=tags,
        posted_at=NOW,
        first_seen_at=NOW,
        sources=sources,
    )


def _rule(name: str, query: str, sources: set[str] | None = None) -> Rule:
    return Rule(name, compile(query), None if sources is None else frozenset(sources))


def test_match_returns_one_match_per_matching_rule_in_rule_order() -> None:
    matcher = Matcher(
        [
            _rule("interns", "intern #microinternship"),
            _rule("seniors", "senior"),
            _rule("remote", "remote -senior"),
        ]
    )
    assert matcher.match(_listing()) == [
        Match(listing_id=7, rule="interns", why='has "intern"; tag #microinternship'),
        Match(listing_id=7, rule="remote", why='has "remote"; not "senior"'),
    ]


def test_match_returns_nothing_when_no_rule_matches() -> None:
    assert Matcher([_rule("seniors", "senior")]).match(_listing()) == []


def test_rule_scoped_to_other_sources_does_not_match() -> None:
    matcher = Matcher([_rule("b-only", "intern", {"boardB"})])
    assert matcher.match(_listing(sources=("boardA",))) == []


def test_rule_scoped_to_any_of_the_listings_sources_matches() -> None:
    matcher = Matcher([_rule("b-only", "intern", {"boardB", "boardC"})])
    matches = matcher.match(_listing(sources=("boardA", "boardB")))
    assert [m.rule for m in matches] == ["b-only"]


def test_rule_without_a_scope_matches_listings_from_every_source() -> None:
    matcher = Matcher([_rule("all", "intern")])
    assert [m.rule for m in matcher.match(_listing(sources=("anything",)))] == ["all"]


def test_rule_with_an_empty_scope_matches_nothing() -> None:
    assert Matcher([_rule("none", "intern", set())]).match(_listing()) == []


def test_match_searches_company_location_and_listing_tags() -> None:
    matcher = Matcher([_rule("where", "acme zürich #python")])
    assert matcher.match(_listing(tags=("Python",)))[0].why == (
        'has "acme"; has "zürich"; tag #python'
    )


def test_match_prepares_each_listing_once_for_all_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[MatchDocument] = []
    original = PreparedDocument.from_document

    def counting(doc: MatchDocument, *, now: datetime | None = None) -> PreparedDocument:
        calls.append(doc)
        return original(doc, now=now)

    monkeypatch.setattr(PreparedDocument, "from_document", counting)
    matcher = Matcher([_rule("a", "intern"), _rule("b", "remote"), _rule("c", "gig")])
    assert len(matcher.match(_listing())) == 2
    assert len(calls) == 1


def test_matcher_refuses_two_rules_with_one_name() -> None:
    with pytest.raises(ValueError, match="duplicate rule names: a"):
        Matcher([_rule("a", "intern"), _rule("a", "gig")])


def test_document_from_listing_copies_the_searchable_fields() -> None:
    listing = _listing(tags=("python",), sources=("boardA", "boardB"))
    assert document_from_listing(listing) == MatchDocument(
        title="Data intern",
        company="Acme",
        location="Zürich",
        description="Remote. #MicroInternship",
        tags=("python",),
        sources=("boardA", "boardB"),
        job=listing.job,
        posted_at=NOW,
    )


def test_rules_with_no_literal_are_evaluated_on_every_listing() -> None:
    matcher = Matcher(
        [
            _rule("word", "intern"),
            _rule("negation", "-senior"),
            _rule("recent", "age<=3d"),
            _rule("pattern", "regex:/intern/"),
            _rule("remote", "remote:yes"),
            _rule("either", "intern OR -senior"),
        ]
    )
    assert matcher.always_evaluated == ("negation", "recent", "pattern", "either")


def test_always_evaluated_rules_still_match() -> None:
    matcher = Matcher([_rule("negation", "-senior"), _rule("recent", "age<=3d")])
    found = matcher.match(_listing(), now=NOW + timedelta(days=1))
    assert [(m.rule, m.why) for m in found] == [
        ("negation", 'not "senior"'),
        ("recent", "age 1d <= 3d"),
    ]


def test_match_counts_age_from_the_given_now() -> None:
    matcher = Matcher([_rule("recent", "age<=3d")])
    assert matcher.match(_listing(), now=NOW + timedelta(days=4)) == []


def test_facet_rules_are_indexed_and_match() -> None:
    listing = replace(_listing(), job=JobDetails(remote="yes", employment_type="gig"))
    matcher = Matcher([_rule("remote", "remote:yes type:gig"), _rule("onsite", "remote:no")])
    assert [(m.rule, m.why) for m in matcher.match(listing)] == [("remote", "remote yes; type gig")]


def test_only_rules_whose_words_occur_are_candidates() -> None:
    rules = [_rule(f"r{n}", f"word{n} data") for n in range(1000)]
    matcher = Matcher([*rules, _rule("hit", "intern zürich")])
    doc = PreparedDocument.from_document(document_from_listing(_listing()), now=NOW)
    assert matcher.candidates(doc) == [1000]


def test_a_rule_needs_both_of_its_rarest_words_to_be_a_candidate() -> None:
    matcher = Matcher([_rule("both", "acme zürich"), _rule("half", "acme berlin")])
    doc = PreparedDocument.from_document(document_from_listing(_listing()), now=NOW)
    assert matcher.candidates(doc) == [0]


def test_an_or_rule_is_a_candidate_when_any_branch_word_occurs() -> None:
    matcher = Matcher([_rule("either", "berlin OR zürich")])
    doc = PreparedDocument.from_document(document_from_listing(_listing()), now=NOW)
    assert matcher.candidates(doc) == [0]


def test_a_word_found_inside_another_is_a_candidate_but_does_not_match() -> None:
    matcher = Matcher([_rule("ern", "ern")])
    doc = PreparedDocument.from_document(document_from_listing(_listing()), now=NOW)
    assert matcher.candidates(doc) == [0]
    assert matcher.match(_listing()) == []


def test_matcher_without_rules_matches_nothing() -> None:
    assert Matcher([]).match(_listing()) == []
