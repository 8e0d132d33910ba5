"""Splits a rule query into tokens, each with the 1-based column where it starts."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from aggregator.rules.errors import QuerySyntaxError
from aggregator.text import fold_tag

__all__ = ["Token", "TokenKind", "tokenize"]

# Straight and curly double quotes all open and close a phrase (editors "smarten" quotes).
_QUOTES = frozenset('"\u201c\u201d')
_WORD_STOPS = _QUOTES | {"(", ")"}
# Syntax that a later version gives a meaning (`title:`, `intern*`, `pay>=25/h`, `/regex/`):
# refused for now so that a query written today cannot silently change meaning then.
_FIELD_RE = re.compile(r"[^\W\d_][\w-]*:")
_RESERVED_CHARS = {
    "*": "prefix searches (intern*)",
    "<": "comparisons (pay>=25)",
    ">": "comparisons (pay>=25)",
    "=": "comparisons (pay>=25)",
}
_QUOTE_HINT = "; put the term in quotes to search for it as written"


class TokenKind(enum.Enum):
    """What a token is; the value is how error messages name it."""

    WORD = "a word"
    PHRASE = "a phrase"
    TAG = "a tag"
    MINUS = "-"
    OR = "OR"
    AND = "AND"
    NOT = "NOT"
    LPAREN = "("
    RPAREN = ")"
    END = "the end of the query"


_KEYWORDS = {"OR": TokenKind.OR, "AND": TokenKind.AND, "NOT": TokenKind.NOT}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: `text` is a word or tag name as written, or the inside of a phrase."""

    kind: TokenKind
    text: str
    position: int


def tokenize(query: str) -> list[Token]:
    """Return the tokens of `query`, ending with an END token one column past its end."""
    tokens: list[Token] = []
    index = 0
    while index < len(query):
        if query[index].isspace():
            index += 1
            continue
        token, index = _read(query, index)
        tokens.append(token)
    tokens.append(Token(TokenKind.END, "", len(query) + 1))
    return tokens


def _read(query: str, index: int) -> tuple[Token, int]:
    char = query[index]
    if char == "(":
        return Token(TokenKind.LPAREN, char, index + 1), index + 1
    if char == ")":
        return Token(TokenKind.RPAREN, char, index + 1), index + 1
    if char == "-":
        return Token(TokenKind.MINUS, char, index + 1), index + 1
    if char in _QUOTES:
        return _read_phrase(query, index)
    end = index
    while end < len(query) and not query[end].isspace() and query[end] not in _WORD_STOPS:
        end += 1
    word = query[index:end]
    if char == "#":
        return _tag(word, index + 1), end
    if word in _KEYWORDS:
        return Token(_KEYWORDS[word], word, index + 1), end
    _refuse_reserved(word, index + 1)
    return Token(TokenKind.WORD, word, index + 1), end


def _read_phrase(query: str, index: int) -> tuple[Token, int]:
    close = next((i for i in range(index + 1, len(query)) if query[i] in _QUOTES), None)
    if close is None:
        raise QuerySyntaxError(index + 1, "unclosed quote")
    return Token(TokenKind.PHRASE, query[index + 1 : close], index + 1), close + 1


def _tag(word: str, position: int) -> Token:
    name = word[1:]
    if not fold_tag(name):
        raise QuerySyntaxError(position, "expected a tag name after #")
    if "*" in name:
        message = f"{_RESERVED_CHARS['*']} are not supported yet"
        raise QuerySyntaxError(position + word.index("*"), message)
    return Token(TokenKind.TAG, name, position)


def _refuse_reserved(word: str, position: int) -> None:
    if field := _FIELD_RE.match(word):
        what = f"field searches ({field.group()})"
        raise QuerySyntaxError(position, f"{what} are not supported yet{_QUOTE_HINT}")
    if word.startswith("/"):
        raise QuerySyntaxError(position, f"regular expressions are not supported yet{_QUOTE_HINT}")
    for offset, char in enumerate(word):
        if char in _RESERVED_CHARS:
            message = f"{_RESERVED_CHARS[char]} are not supported yet{_QUOTE_HINT}"
            raise QuerySyntaxError(position + offset, message)
