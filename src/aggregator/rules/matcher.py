"""Runs every alert rule over a listing: each rule's query, within its sources scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.models import Listing, Match
from aggregator.rules.document import PreparedDocument, document_from_listing
from aggregator.rules.query import CompiledQuery

__all__ = ["Matcher", "Rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    """An alert rule: a name, a compiled query and the sources it watches (None: every one)."""

    name: str
    query: CompiledQuery
    sources: frozenset[str] | None = None

    def watches(self, sources: frozenset[str]) -> bool:
        """Whether a listing seen on `sources` is in this rule's scope."""
        return self.sources is None or not self.sources.isdisjoint(sources)


class Matcher:
    """Matches listings against a fixed set of rules, preparing each listing only once."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        names = [rule.name for rule in rules]
        if duplicates := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"duplicate rule names: {', '.join(duplicates)}")
        self._rules = tuple(rules)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    def match(self, listing: Listing) -> list[Match]:
        """One Match per rule, in rule order, whose scope and query both accept `listing`."""
        doc = PreparedDocument.from_document(document_from_listing(listing))
        found: list[Match] = []
        for rule in self._rules:
            if not rule.watches(doc.sources):
                continue
            if (why := rule.query.explain_prepared(doc)) is not None:
                found.append(Match(listing_id=listing.id, rule=rule.name, why=why))
        return found
