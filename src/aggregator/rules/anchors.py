"""What literals a document must contain for a query to have a chance: the matcher's index keys.

A set of anchors is a clause: whenever the query matches a document, at least one of them
occurs in the document's `index_text`. A query's `requirements` are up to two such clauses,
all of which must hold. Text terms give their longest literal part; tags and facets give a
marked key in the text's tag and facet blocks. A query that can match without any of them
(a lone negation, `age<=3d`, a regex) has no clause and is evaluated on every document.
"""

from __future__ import annotations

from collections.abc import Iterable

from aggregator.rules.document import PreparedDocument
from aggregator.rules.nodes import And, Compare, Facet, Node, Not, Or, Regex, Tag, Text, Unknown

__all__ = ["MAX_CLAUSES", "anchors", "index_text", "requirements"]

_TAG_MARK = "\x02"
_FACET_MARK = "\x03"
_BLOCK_SEPARATOR = "\x01"
# How much an anchor narrows the candidates; text anchors score their length (longer words
# are rarer). Facets such as remote=yes hold for many postings, so they score lowest.
_TAG_SCORE = 12
_SOURCE_SCORE = 3
_FACET_SCORE = 1
MAX_CLAUSES = 2  # two rare words already leave few candidates; more would cost more to count


def index_text(doc: PreparedDocument) -> str:
    """The text, then the tags, then the facets, each tag and facet between marks."""
    tags = _TAG_MARK + _TAG_MARK.join(sorted(doc.tags)) + _TAG_MARK
    facets = _FACET_MARK + _FACET_MARK.join(sorted(doc.facets)) + _FACET_MARK
    return f"{doc.text}{_BLOCK_SEPARATOR}{tags}{_BLOCK_SEPARATOR}{facets}"


def anchors(node: Node) -> frozenset[str] | None:
    """The keys one of which every document matching `node` contains; None when there are none."""
    match node:
        case Text(finder=finder):
            return frozenset({finder.anchor})
        case Tag(name=name, prefix=prefix):
            return frozenset({_TAG_MARK + name + ("" if prefix else _TAG_MARK)})
        case Facet(name=name, value=value):
            return _facet(f"{name}={value}")
        case Unknown(quantity=quantity):
            return _facet(f"{quantity}=unknown")
        case Compare(quantity=quantity):
            return None if quantity == "age" else _facet(f"{quantity}=known")
        case Not() | Regex():
            return None
        case And(operands=operands):
            return _best(anchors(operand) for operand in operands)
        case Or(operands=operands):
            return _union(anchors(operand) for operand in operands)


def _facet(fact: str) -> frozenset[str]:
    return frozenset({_FACET_MARK + fact + _FACET_MARK})


def _best(options: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """The most selective of an AND's operands' anchors (any one of them is required)."""
    found = [option for option in options if option]
    return max(found, key=_selectivity, default=None)


def _union(options: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """An OR needs one of its operands, so the union of theirs; None if any has none."""
    keys: set[str] = set()
    for option in options:
        if option is None:
            return None
        keys |= option
    return frozenset(keys)


def _score(key: str) -> int:
    if key.startswith(_TAG_MARK):
        return _TAG_SCORE
    if key.startswith(_FACET_MARK):
        return _SOURCE_SCORE if key.startswith(_FACET_MARK + "source=") else _FACET_SCORE
    return len(key)


def requirements(node: Node) -> list[frozenset[str]]:
    """Up to MAX_CLAUSES clauses that every document matching `node` meets (most selective
    first); an empty list when there is no such clause."""
    clauses = _clauses(node)
    unique = list(dict.fromkeys(clauses))
    unique.sort(key=_selectivity, reverse=True)
    return unique[:MAX_CLAUSES]


def _clauses(node: Node) -> list[frozenset[str]]:
    if isinstance(node, And):
        return [clause for operand in node.operands for clause in _clauses(operand)]
    if isinstance(node, Or):
        keys = anchors(node)
        return [] if keys is None else [keys]
    keys = anchors(node)
    return [] if keys is None else [keys]


def _selectivity(clause: frozenset[str]) -> tuple[int, int]:
    return min(map(_score, clause)), -len(clause)
