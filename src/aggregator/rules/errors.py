"""The error a malformed rule query raises, pointing at the column where it went wrong."""

from __future__ import annotations

from aggregator.errors import AggregatorError

__all__ = ["QuerySyntaxError"]


class QuerySyntaxError(AggregatorError, ValueError):
    """A rule query could not be parsed.

    `position` is the 1-based column (in characters) of the offending part of the query;
    `str(error)` reads `col 14: expected a term after OR`.
    """

    def __init__(self, position: int, message: str) -> None:
        self.position = position
        self.message = message
        super().__init__(f"col {position}: {message}")
