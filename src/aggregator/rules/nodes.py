"""The parsed form of a rule query: terms, and the boolean operators that combine them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from aggregator.rules.terms import TextFinder

__all__ = ["And", "Node", "Not", "Or", "Tag", "Text", "render", "render_operand"]


@dataclass(frozen=True, slots=True)
class Text:
    """A bare word or a quoted phrase, looked for in the listing's text; `source` as written."""

    source: str
    finder: TextFinder = field(compare=False, repr=False)
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Tag:
    """`#name`: one of the listing's tags or hashtags; `name` is folded with `fold_tag`."""

    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    """`-term` or `NOT term`: matches when the operand does not."""

    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    """Terms side by side (or joined by `AND`): every operand must match."""

    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Terms joined by `OR`: at least one operand must match."""

    operands: tuple[Node, ...]


Node: TypeAlias = Text | Tag | Not | And | Or


def render(node: Node) -> str:
    """Write `node` back as a query with every term quoted and every group in parentheses."""
    match node:
        case Text(source=source):
            return f'"{source}"'
        case Tag(name=name):
            return f"#{name}"
        case Not(operand=operand):
            return f"-{render_operand(operand)}"
        case And(operands=operands):
            return " AND ".join(render_operand(child) for child in operands)
        case Or(operands=operands):
            return " OR ".join(render_operand(child) for child in operands)


def render_operand(node: Node) -> str:
    """Like `render`, with parentheses around an AND or OR group."""
    text = render(node)
    return f"({text})" if isinstance(node, And | Or) else text
