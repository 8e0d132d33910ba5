"""The parsed form of a rule query: terms, and the boolean operators that combine them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from aggregator.rules.terms import TextFinder

__all__ = [
    "And",
    "Compare",
    "Facet",
    "Node",
    "Not",
    "Or",
    "Regex",
    "Tag",
    "Text",
    "Unknown",
    "format_number",
    "render",
    "render_operand",
]


@dataclass(frozen=True, slots=True)
class Text:
    """A word, `word*` prefix or quoted phrase in the listing's text (or in one field of it).

    `source` is the term as written (without the `*`); `scope` is title, company, location or
    description, or None for all of them.
    """

    source: str
    finder: TextFinder = field(compare=False, repr=False)
    position: int = field(default=0, compare=False)
    scope: str | None = None
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Tag:
    """`#name` or `tag:name`: one of the listing's tags or hashtags, folded with `fold_tag`."""

    name: str
    position: int = field(default=0, compare=False)
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Facet:
    """`source:x`, `type:gig`, `remote:yes`: a structured field with exactly this value."""

    name: str
    value: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Compare:
    """`pay>=25/h`, `hours<=40`, `age<=3d`, `deadline>=7d`; `amount` is in `unit`.

    Units: a pay period (hour, day, week, month, year, project) for pay; h, d or w otherwise.
    """

    quantity: str
    op: str
    amount: float
    unit: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Unknown:
    """`pay:unknown`, `hours:unknown`, `deadline:unknown`: the posting does not say."""

    quantity: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Regex:
    """`regex:/pattern/`: an RE2 pattern (linear time, no backtracking) over the text."""

    pattern: str
    program: Any = field(compare=False, repr=False)
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


Node: TypeAlias = Text | Tag | Facet | Compare | Unknown | Regex | Not | And | Or

PAY_UNIT_SUFFIX = {
    "hour": "/h",
    "day": "/d",
    "week": "/w",
    "month": "/mo",
    "year": "/y",
    "project": "/project",
}


def format_number(value: float) -> str:
    """`25`, `62400`, `12.5`: at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def unit_suffix(node: Compare) -> str:
    """How a comparison's unit is written after its number: `/h`, `d`, or nothing for hours."""
    if node.quantity == "pay":
        return PAY_UNIT_SUFFIX[node.unit]
    return "" if node.quantity == "hours" else node.unit


def render(node: Node) -> str:
    """Write `node` back as a query with every term quoted and every group in parentheses."""
    match node:
        case Text(source=source, scope=scope, prefix=prefix):
            term = f"{source}*" if prefix else f'"{source}"'
            return f"{scope}:{term}" if scope else term
        case Tag(name=name, prefix=prefix):
            return f"#{name}*" if prefix else f"#{name}"
        case Facet(name=name, value=value):
            return f'{name}:"{value}"'
        case Compare():
            return f"{node.quantity}{node.op}{format_number(node.amount)}{unit_suffix(node)}"
        case Unknown(quantity=quantity):
            return f"{quantity}:unknown"
        case Regex(pattern=pattern):
            return f"regex:/{pattern}/"
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
