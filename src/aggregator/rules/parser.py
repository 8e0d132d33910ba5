"""Recursive-descent parser from query tokens to nodes; AND binds tighter than OR."""

# query   := or END
# or      := and ("OR" and)*
# and     := unary (["AND"] unary)*
# unary   := "-" unary | "NOT" unary | primary      (the "-" touches what it negates)
# primary := WORD | PHRASE | TAG | FIELD | COMPARE | REGEX | "(" or ")"

from __future__ import annotations

from aggregator.rules.errors import QuerySyntaxError
from aggregator.rules.leaves import leaf
from aggregator.rules.lexer import Token, TokenKind, tokenize
from aggregator.rules.nodes import And, Node, Not, Or
from aggregator.text import clean_text

__all__ = ["MAX_QUERY_CHARS", "MAX_QUERY_DEPTH", "parse"]

MAX_QUERY_CHARS = 20_000  # some 2,000 terms; parsing takes time in proportion

# Parentheses and negations inside each other; real queries use a few. Each level costs the
# parser, the matcher and the explainer a few Python frames, so the limit keeps a hostile or
# generated query far from Python's recursion limit.
MAX_QUERY_DEPTH = 50

_TERM_STARTS = frozenset(
    {
        TokenKind.WORD,
        TokenKind.PHRASE,
        TokenKind.TAG,
        TokenKind.FIELD,
        TokenKind.COMPARE,
        TokenKind.REGEX,
        TokenKind.MINUS,
        TokenKind.NOT,
        TokenKind.LPAREN,
    }
)


def parse(query: str) -> Node:
    """Parse `query`; raise QuerySyntaxError naming the column of the first problem. Text no
    matcher takes (a lone surrogate from a badly encoded argument, NUL) becomes U+FFFD."""
    if len(query) > MAX_QUERY_CHARS:
        message = f"the query is longer than {MAX_QUERY_CHARS} characters"
        raise QuerySyntaxError(MAX_QUERY_CHARS + 1, message)
    return _Parser(tokenize(clean_text(query))).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._index = 0
        self._depth = 0

    def parse(self) -> Node:
        if self._peek().kind is TokenKind.END:
            raise QuerySyntaxError(1, "empty query")
        node = self._or()
        token = self._peek()
        if token.kind is TokenKind.RPAREN:
            raise QuerySyntaxError(token.position, "unmatched )")
        return node

    def _peek(self) -> Token:
        return self._tokens[self._index]

    def _next(self) -> Token:
        token = self._tokens[self._index]
        self._index = min(self._index + 1, len(self._tokens) - 1)
        return token

    def _expect_term_after(self, operator: Token, *, touching: bool = False) -> None:
        following = self._peek()
        adjacent = following.position == operator.position + len(operator.text)
        if following.kind not in _TERM_STARTS or (touching and not adjacent):
            where = "right after" if touching else "after"
            raise QuerySyntaxError(operator.position, f"expected a term {where} {operator.text}")

    def _or(self) -> Node:
        operands = [self._and()]
        while self._peek().kind is TokenKind.OR:
            self._expect_term_after(self._next())
            operands.append(self._and())
        return _combine(Or, operands)

    def _and(self) -> Node:
        first = self._peek()
        if first.kind in (TokenKind.OR, TokenKind.AND):
            raise QuerySyntaxError(first.position, f"expected a term before {first.text}")
        operands = [self._unary()]
        while True:
            token = self._peek()
            if token.kind is TokenKind.AND:
                self._expect_term_after(self._next())
            elif token.kind not in _TERM_STARTS:
                return _combine(And, operands)
            operands.append(self._unary())

    def _unary(self) -> Node:
        token = self._next()
        if token.kind in (TokenKind.MINUS, TokenKind.NOT):
            self._expect_term_after(token, touching=token.kind is TokenKind.MINUS)
            self._descend(token)
            node = _negate(self._unary())
            self._depth -= 1
            return node
        if token.kind is TokenKind.LPAREN:
            self._descend(token)
            node = self._group(token)
            self._depth -= 1
            return node
        return leaf(token)

    def _descend(self, token: Token) -> None:
        self._depth += 1
        if self._depth > MAX_QUERY_DEPTH:
            raise QuerySyntaxError(
                token.position,
                f"nested more than {MAX_QUERY_DEPTH} levels deep (parentheses and negations)",
            )

    def _group(self, opening: Token) -> Node:
        if self._peek().kind is TokenKind.RPAREN:
            raise QuerySyntaxError(opening.position, "empty parentheses")
        node = self._or()
        if self._next().kind is not TokenKind.RPAREN:
            raise QuerySyntaxError(opening.position, "unclosed (")
        return node


def _negate(node: Node) -> Node:
    return node.operand if isinstance(node, Not) else Not(node)


def _combine(kind: type[And] | type[Or], operands: list[Node]) -> Node:
    if len(operands) == 1:
        return operands[0]
    flat: list[Node] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return kind(tuple(flat))
