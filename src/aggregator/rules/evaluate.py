"""Tests a parsed query against a prepared document and says, in words, why it matched."""

from __future__ import annotations

from aggregator.rules.document import PreparedDocument
from aggregator.rules.nodes import And, Node, Not, Or, Tag, Text, render_operand

__all__ = ["reasons"]


def reasons(node: Node, doc: PreparedDocument) -> list[str] | None:
    """Return why `node` matches `doc` (one reason per deciding term), or None if it does not.

    An OR gives the reasons of its first matching operand only, to keep explanations short.
    """
    match node:
        case Text(source=source, finder=finder):
            return [f'has "{source}"'] if finder.found_in(doc.text) else None
        case Tag(name=name):
            return [f"tag #{name}"] if name in doc.tags else None
        case Not(operand=operand):
            return [f"not {render_operand(operand)}"] if reasons(operand, doc) is None else None
        case And(operands=operands):
            found: list[str] = []
            for operand in operands:
                if (more := reasons(operand, doc)) is None:
                    return None
                found.extend(more)
            return found
        case Or(operands=operands):
            return next((r for op in operands if (r := reasons(op, doc)) is not None), None)
