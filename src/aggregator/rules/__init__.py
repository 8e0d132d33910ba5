"""The rule query language: compile queries, and match listings against alert rules."""

from __future__ import annotations

from aggregator.rules.document import MatchDocument, PreparedDocument, document_from_listing
from aggregator.rules.errors import QuerySyntaxError
from aggregator.rules.matcher import Matcher, Rule
from aggregator.rules.parser import MAX_QUERY_CHARS, MAX_QUERY_DEPTH
from aggregator.rules.query import CompiledQuery, check_query, compile

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_DEPTH",
    "CompiledQuery",
    "MatchDocument",
    "Matcher",
    "PreparedDocument",
    "QuerySyntaxError",
    "Rule",
    "check_query",
    "compile",
    "document_from_listing",
]
