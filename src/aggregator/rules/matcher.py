"""Runs every alert rule over a listing at once: an Aho-Corasick index picks the candidates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import ahocorasick

from aggregator.models import Listing, Match
from aggregator.rules.anchors import index_text, requirements
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
    """Matches listings against a fixed set of rules, compiled once into one index.

    Every rule's anchors (see `anchors`) go into one Aho-Corasick automaton; a listing's text
    is scanned once, and only the rules whose anchors occur in it, plus the few rules that
    have none (`always`), have their queries evaluated. So the cost per listing follows the
    number of candidate rules, not the number of rules.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        counts = Counter(rule.name for rule in rules)
        if duplicates := sorted(name for name, count in counts.items() if count > 1):
            raise ValueError(f"duplicate rule names: {', '.join(duplicates)}")
        self._rules = tuple(rules)
        by_key: dict[str, list[int]] = {}
        always: list[int] = []
        self._two_clauses: set[int] = set()
        for number, rule in enumerate(self._rules):
            clauses = requirements(rule.query.root)
            if not clauses:
                always.append(number)
            if len(clauses) == 2:
                self._two_clauses.add(number)
            for clause_number, clause in enumerate(clauses):
                for key in clause:
                    by_key.setdefault(key, []).append(2 * number + clause_number)
        self._always = tuple(always)
        self._automaton = _automaton(by_key)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    @property
    def always_evaluated(self) -> tuple[str, ...]:
        """The names of the rules that have no anchor, so are evaluated on every listing."""
        return tuple(self._rules[number].name for number in self._always)

    def match(self, listing: Listing, *, now: datetime | None = None) -> list[Match]:
        """One Match per rule, in rule order, whose scope and query both accept `listing`.

        `now` (default: the current time) is when `age<=3d` and `deadline>=7d` count from.
        """
        doc = PreparedDocument.from_document(document_from_listing(listing), now=now)
        return [
            Match(listing_id=listing.id, rule=rule.name, why=why)
            for rule, why in self.explain_prepared(doc)
        ]

    def explain_prepared(self, doc: PreparedDocument) -> list[tuple[Rule, str]]:
        """Each matching rule with why it matched, in rule order."""
        found: list[tuple[Rule, str]] = []
        for number in self.candidates(doc):
            rule = self._rules[number]
            if not rule.watches(doc.sources) or not rule.query.matches_prepared(doc):
                continue
            if (why := rule.query.explain_prepared(doc)) is not None:
                found.append((rule, why))
        return found

    def candidates(self, doc: PreparedDocument) -> list[int]:
        """The numbers of the rules that may match `doc` (every clause met), in rule order.

        Index values are slots, 2 x rule number + clause number.
        """
        numbers = set(self._always)
        if self._automaton is None:
            return sorted(numbers)
        met: set[int] = set()
        for slots in {value for _, value in self._automaton.iter(index_text(doc))}:
            met.update(slots)
        two = self._two_clauses
        for slot in met:
            number = slot >> 1
            if number not in two or (slot & 1 == 0 and slot + 1 in met):
                numbers.add(number)
        return sorted(numbers)


def _automaton(by_key: dict[str, list[int]]) -> ahocorasick.Automaton | None:
    if not by_key:
        return None
    automaton = ahocorasick.Automaton()
    for key, numbers in by_key.items():
        automaton.add_word(key, tuple(numbers))
    automaton.make_automaton()
    return automaton
