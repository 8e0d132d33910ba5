"""Matcher: every rule over a listing, within each rule's sources scope."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.models import Listing, Match
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

    def counting(doc: MatchDocument) -> PreparedDocument:
        calls.append(doc)
        return original(doc)

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
    )
