"""Builds the leaf nodes of a query (words, phrases, tags, fields, comparisons, regexes)."""

from __future__ import annotations

import re2

from aggregator.rules.conditions import facet, parse_comparison
from aggregator.rules.document import TEXT_FIELDS
from aggregator.rules.errors import QuerySyntaxError
from aggregator.rules.lexer import Token, TokenKind
from aggregator.rules.nodes import Node, Regex, Tag, Text
from aggregator.rules.terms import text_finder
from aggregator.text import fold_tag

__all__ = ["MAX_REGEX_LENGTH", "leaf"]

MAX_REGEX_LENGTH = 500
_REGEX_MEMORY = 4 << 20  # bytes RE2 may use for one program; a bigger pattern is refused


def leaf(token: Token) -> Node:
    """The node for a term token; raise QuerySyntaxError for anything else."""
    if token.kind is TokenKind.TAG:
        return _tag(token.text, token.position, literal=False)
    if token.kind in (TokenKind.WORD, TokenKind.PHRASE):
        return _text(token.text, token.position, literal=token.kind is TokenKind.PHRASE)
    if token.kind is TokenKind.FIELD:
        return _field(token)
    if token.kind is TokenKind.COMPARE:
        return parse_comparison(token.field, token.text, token.position)
    if token.kind is TokenKind.REGEX:
        return _regex(token.text, token.position)
    if token.kind is TokenKind.RPAREN:
        raise QuerySyntaxError(token.position, "unmatched )")
    raise QuerySyntaxError(token.position, f"expected a term, found {token.kind.value}")


def _text(written: str, position: int, *, literal: bool, scope: str | None = None) -> Text:
    prefix = not literal and written.endswith("*")
    source = written.removesuffix("*") if prefix else written
    finder = text_finder(source, prefix=prefix)
    if finder is None:
        what = "empty phrase" if literal and not written.strip() else "nothing to search for"
        raise QuerySyntaxError(position, what)
    return Text(source.strip(), finder, position, scope, prefix)


def _tag(written: str, position: int, *, literal: bool) -> Tag:
    prefix = not literal and written.endswith("*")
    name = fold_tag(written.removesuffix("*") if prefix else written)
    if not name:
        raise QuerySyntaxError(position, "expected a tag name")
    return Tag(name, position, prefix)


def _field(token: Token) -> Node:
    if token.field in TEXT_FIELDS:
        return _text(token.text, token.position, literal=token.quoted, scope=token.field)
    if token.field == "tag":
        return _tag(token.text, token.position, literal=token.quoted)
    return facet(token.field, token.text, token.position)


def _regex(pattern: str, position: int) -> Regex:
    if not pattern:
        raise QuerySyntaxError(position, "empty regular expression")
    if len(pattern) > MAX_REGEX_LENGTH:
        raise QuerySyntaxError(
            position, f"regular expressions are limited to {MAX_REGEX_LENGTH} characters"
        )
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = _REGEX_MEMORY
    try:
        program = re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0].decode() if isinstance(error.args[0], bytes) else str(error)
        raise QuerySyntaxError(position, f"bad regular expression: {reason}") from None
    return Regex(pattern, program, position)
