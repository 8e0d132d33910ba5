"""Tests a parsed query against a prepared document and says, in words, why it matched."""

from __future__ import annotations

from aggregator.rules.conditions import compare_reason, unknown_holds
from aggregator.rules.document import PreparedDocument
from aggregator.rules.nodes import (
    And,
    Compare,
    Facet,
    Node,
    Not,
    Or,
    Regex,
    Tag,
    Text,
    Unknown,
    render_operand,
)

__all__ = ["holds", "reasons"]


def reasons(node: Node, doc: PreparedDocument) -> list[str] | None:
    """Return why `node` matches `doc` (one reason per deciding term), or None if it does not.

    An OR gives the reasons of its first matching operand only, to keep explanations short.
    """
    match node:
        case Not(operand=operand):
            return None if holds(operand, doc) else [f"not {render_operand(operand)}"]
        case And(operands=operands):
            found: list[str] = []
            for operand in operands:
                if (more := reasons(operand, doc)) is None:
                    return None
                found.extend(more)
            return found
        case Or(operands=operands):
            return next((r for op in operands if (r := reasons(op, doc)) is not None), None)
        case Compare():
            reason = compare_reason(node, doc)
            return None if reason is None else [reason]
        case _:
            return [_describe(node)] if holds(node, doc) else None


def holds(node: Node, doc: PreparedDocument) -> bool:
    """Whether `node` matches `doc`; text terms are remembered in `doc.memo` for other rules."""
    if isinstance(node, And):
        return all(holds(operand, doc) for operand in node.operands)
    if isinstance(node, Or):
        return any(holds(operand, doc) for operand in node.operands)
    if isinstance(node, Not):
        return not holds(node.operand, doc)
    if isinstance(node, Text):
        found = doc.memo.get(node)
        if found is None:
            found = doc.memo[node] = _text_found(node, doc)
        return found
    return _leaf_holds(node, doc)


def _text_found(node: Text, doc: PreparedDocument) -> bool:
    text = doc.text if node.scope is None else doc.fields.get(node.scope, "")
    return node.finder.found_in(text)


def _leaf_holds(node: Node, doc: PreparedDocument) -> bool:
    match node:
        case Tag(name=name, prefix=prefix):
            return name in doc.tags or (prefix and any(t.startswith(name) for t in doc.tags))
        case Facet(name=name, value=value):
            return f"{name}={value}" in doc.facets
        case Unknown():
            return unknown_holds(node, doc)
        case Compare():
            return compare_reason(node, doc) is not None
        case Regex(program=program):
            return program.search(doc.text) is not None
    raise TypeError(f"not a leaf: {node!r}")


def _describe(node: Node) -> str:
    match node:
        case Text(source=source, scope=scope, prefix=prefix):
            term = f'"{source}*"' if prefix else f'"{source}"'
            return f"{scope} has {term}" if scope else f"has {term}"
        case Tag(name=name, prefix=prefix):
            return f"tag #{name}*" if prefix else f"tag #{name}"
        case Facet(name=name, value=value):
            return f"{name} {value}"
        case Unknown(quantity=quantity):
            return f"{quantity} unknown"
        case Regex(pattern=pattern):
            return f"matches /{pattern}/"
    return render_operand(node)
