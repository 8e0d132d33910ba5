"""Any error as one short line, as the run summary, `sources status` and the CLI show it.

SQLAlchemy's own message holds the whole SQL statement and its parameters (listing text, many
kilobytes of it); PostgreSQL adds DETAIL lines quoting the values. Only the driver's first line
is kept, so an error never carries listing text or a statement into a summary, a log line or
the `source_state` table.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from aggregator import redact
from aggregator.text import clean_text

__all__ = ["MAX_ERROR_CHARS", "describe_error", "one_line"]

MAX_ERROR_CHARS = 300


def describe_error(error: BaseException) -> str:
    """What went wrong, in one line of at most MAX_ERROR_CHARS characters."""
    if isinstance(error, SQLAlchemyError):
        cause = getattr(error, "orig", None) or error
        return one_line(f"database error: {_first_line(cause)}")
    if isinstance(error, RecursionError):
        return "the data is nested too deeply to read"
    if isinstance(error, MemoryError):
        return "out of memory"
    return one_line(str(error) or type(error).__name__)  # every line, joined: they may all matter


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` on one line (whitespace collapsed, unencodable characters replaced, known secrets
    and URL queries scrubbed), cut to `limit` characters."""
    flat = " ".join(redact.scrub(clean_text(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
