"""Turns a parsed query into one fast yes/no function (closures, no per-node dispatch)."""

from __future__ import annotations

from collections.abc import Callable

from aggregator.rules.conditions import compare_reason
from aggregator.rules.document import PreparedDocument
from aggregator.rules.nodes import And, Compare, Facet, Node, Not, Or, Regex, Tag, Text, Unknown

__all__ = ["Predicate", "predicate"]

Predicate = Callable[[PreparedDocument], bool]


def predicate(node: Node) -> Predicate:
    """A function telling whether `node` matches a document, as `reasons(...) is not None` does.

    Text terms remember their result in the document's `memo` under a key made of their
    pattern, so a term shared by many rules is searched for once per document.
    """
    match node:
        case And(operands=operands):
            return _all(tuple(predicate(operand) for operand in operands))
        case Or(operands=operands):
            return _any(tuple(predicate(operand) for operand in operands))
        case Not(operand=operand):
            inner = predicate(operand)
            return lambda doc: not inner(doc)
        case Text():
            return _text(node)
        case Tag(name=name, prefix=prefix):
            if prefix:
                return lambda doc: any(tag.startswith(name) for tag in doc.tags)
            return lambda doc: name in doc.tags
        case Facet(name=name, value=value):
            fact = f"{name}={value}"
            return lambda doc: fact in doc.facets
        case Unknown(quantity=quantity):
            fact = f"{quantity}=unknown"
            return lambda doc: fact in doc.facets
        case Compare():
            return lambda doc: compare_reason(node, doc) is not None
        case Regex(program=program):
            return lambda doc: program.search(doc.text) is not None


def _all(tests: tuple[Predicate, ...]) -> Predicate:
    if len(tests) == 2:
        first, second = tests
        return lambda doc: first(doc) and second(doc)
    return lambda doc: all(test(doc) for test in tests)


def _any(tests: tuple[Predicate, ...]) -> Predicate:
    if len(tests) == 2:
        first, second = tests
        return lambda doc: first(doc) or second(doc)
    return lambda doc: any(test(doc) for test in tests)


def _text(node: Text) -> Predicate:
    finder, scope = node.finder, node.scope
    key = f"{scope}\x1f{finder.regex.pattern}\x1f{finder.lead}{finder.trail}{finder.letter_end}"

    def test(doc: PreparedDocument) -> bool:
        found = doc.memo.get(key)
        if found is None:
            text = doc.text if scope is None else doc.fields.get(scope, "")
            found = doc.memo[key] = finder.found_in(text)
        return found

    return test
