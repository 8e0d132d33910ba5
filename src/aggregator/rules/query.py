"""The one seam of the rule language: `compile` a query string into a `CompiledQuery`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aggregator.rules.document import MatchDocument, PreparedDocument
from aggregator.rules.errors import QuerySyntaxError
from aggregator.rules.evaluate import reasons
from aggregator.rules.nodes import Node, render
from aggregator.rules.parser import parse
from aggregator.rules.predicate import Predicate, predicate

__all__ = ["CompiledQuery", "check_query", "compile"]


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A parsed query, ready to test many documents; build one with `compile`."""

    query: str
    root: Node = field(repr=False)
    test: Predicate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", predicate(self.root))

    @property
    def canonical(self) -> str:
        """The query as parsed: terms quoted, groups in parentheses (`("a" AND "b") OR "c"`)."""
        return render(self.root)

    def explain(self, doc: MatchDocument, *, now: datetime | None = None) -> str | None:
        """Why the query matches `doc`, such as `has "data"; not "senior"`; None if it does not.

        `now` (default: the current time) is when `age<=3d` and `deadline>=7d` count from.
        """
        return self.explain_prepared(PreparedDocument.from_document(doc, now=now))

    def explain_prepared(self, doc: PreparedDocument) -> str | None:
        """`explain` for a document already prepared (once, for every rule)."""
        found = reasons(self.root, doc)
        return None if found is None else "; ".join(dict.fromkeys(found))

    def matches_prepared(self, doc: PreparedDocument) -> bool:
        """Whether the query matches, without building the explanation."""
        return self.test(doc)


def compile(query: str) -> CompiledQuery:
    """Parse `query`; raise QuerySyntaxError (with `.position`) if it is malformed."""
    return CompiledQuery(query, parse(query))


def check_query(query: str) -> str | None:
    """Return what is wrong with `query` (`col 14: expected a term after OR`), or None."""
    try:
        parse(query)
    except QuerySyntaxError as error:
        return str(error)
    return None
