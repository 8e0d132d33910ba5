"""Splits a rule query into tokens, each with the 1-based column where it starts."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from aggregator.rules.errors import QuerySyntaxError
from aggregator.text import fold_tag

__all__ = ["FIELDS", "Token", "TokenKind", "tokenize"]

# Straight and curly double quotes all open and close a phrase (editors "smarten" quotes).
_QUOTES = frozenset('"\u201c\u201d')
_WORD_STOPS = _QUOTES | {"(", ")"}
_FIELD_RE = re.compile(r"[^\W\d_][\w-]*:")
_COMPARE_RE = re.compile(r"(pay|hours|age|deadline)(>=|<=|>|<|=)", re.IGNORECASE)
_REGEX_START = "regex:/"
FIELDS = (
    "title",
    "company",
    "location",
    "description",
    "source",
    "tag",
    "type",
    "remote",
    "status",
    "seen",
    "pay",
    "hours",
    "deadline",
    "regex",
)
_QUOTE_HINT = "; put the term in quotes to search for it as written"


class TokenKind(enum.Enum):
    """What a token is; the value is how error messages name it."""

    WORD = "a word"
    PHRASE = "a phrase"
    TAG = "a tag"
    FIELD = "a field"
    COMPARE = "a comparison"
    REGEX = "a regular expression"
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
    """One token: `text` is a word or tag name as written (a trailing `*` kept), the inside
    of a phrase, a field's value, a comparison after its operator's start, or a pattern.

    `field` names the field of FIELD and COMPARE tokens; `quoted` says a field's value was a
    phrase (so a `*` in it is literal).
    """

    kind: TokenKind
    text: str
    position: int
    field: str = ""
    quoted: bool = False


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


_SINGLE = {"(": TokenKind.LPAREN, ")": TokenKind.RPAREN, "-": TokenKind.MINUS}


def _read(query: str, index: int) -> tuple[Token, int]:
    char = query[index]
    if char in _SINGLE:
        return Token(_SINGLE[char], char, index + 1), index + 1
    if char in _QUOTES:
        return _read_phrase(query, index)
    if query[index : index + len(_REGEX_START)].casefold() == _REGEX_START:
        return _read_regex(query, index)
    end = index
    while end < len(query) and not query[end].isspace() and query[end] not in _WORD_STOPS:
        end += 1
    word = query[index:end]
    if char == "#":
        return _tag(word, index + 1), end
    if word in _KEYWORDS:
        return Token(_KEYWORDS[word], word, index + 1), end
    if compare := _COMPARE_RE.match(word):
        field = compare.group(1).casefold()
        return Token(TokenKind.COMPARE, word[len(field) :], index + 1, field), end
    if field_name := _FIELD_RE.match(word):
        return _field(query, field_name.group(), index, end)
    _check_word(word, index + 1)
    return Token(TokenKind.WORD, word, index + 1), end


def _read_phrase(query: str, index: int) -> tuple[Token, int]:
    close = next((i for i in range(index + 1, len(query)) if query[i] in _QUOTES), None)
    if close is None:
        raise QuerySyntaxError(index + 1, "unclosed quote")
    return Token(TokenKind.PHRASE, query[index + 1 : close], index + 1), close + 1


def _read_regex(query: str, index: int) -> tuple[Token, int]:
    """`regex:/.../` may hold spaces and parentheses; `\\/` is a slash inside it."""
    start = index + len(_REGEX_START)
    pos = start
    while pos < len(query) and query[pos] != "/":
        pos += 2 if query[pos] == "\\" else 1
    if pos >= len(query):
        raise QuerySyntaxError(index + 1, "unclosed regex:/.../ (expected a closing /)")
    end = pos + 1
    if end < len(query) and not query[end].isspace() and query[end] != ")":
        raise QuerySyntaxError(end + 1, "expected a space after the closing / of regex:")
    return Token(TokenKind.REGEX, query[start:pos], index + 1, "regex"), end


def _field(query: str, prefix: str, index: int, end: int) -> tuple[Token, int]:
    name = prefix[:-1].casefold()
    if name not in FIELDS:
        known = ", ".join(f"{field}:" for field in FIELDS)
        raise QuerySyntaxError(index + 1, f"unknown field {prefix} (fields: {known}){_QUOTE_HINT}")
    value = query[index + len(prefix) : end]
    if name == "regex":
        raise QuerySyntaxError(index + 1, "expected /pattern/ right after regex:")
    if value:
        _check_word(value, index + len(prefix) + 1)
        return Token(TokenKind.FIELD, value, index + 1, name), end
    if end < len(query) and query[end] in _QUOTES:
        phrase, after = _read_phrase(query, end)
        return Token(TokenKind.FIELD, phrase.text, index + 1, name, quoted=True), after
    raise QuerySyntaxError(index + 1, f"expected a word or a phrase right after {prefix}")


def _tag(word: str, position: int) -> Token:
    name = word[1:]
    if not fold_tag(name.removesuffix("*")):
        raise QuerySyntaxError(position, "expected a tag name after #")
    _check_word(word, position)
    return Token(TokenKind.TAG, name, position)


def _check_word(word: str, position: int) -> None:
    """Refuse syntax that means something else elsewhere, rather than search for it."""
    if word.startswith("/"):
        raise QuerySyntaxError(position, f"write a regular expression as regex:/.../{_QUOTE_HINT}")
    for offset, char in enumerate(word):
        if char in "<>=":
            message = f"comparisons work on pay, hours, age and deadline (pay>=25/h){_QUOTE_HINT}"
            raise QuerySyntaxError(position + offset, message)
        if char == "*" and offset != len(word) - 1:
            message = f"* marks a prefix at the end of a word (intern*){_QUOTE_HINT}"
            raise QuerySyntaxError(position + offset, message)
