"""One exception tree for everything aggregator raises on purpose, and any error as one line.

    AggregatorError          the root: its message is shown to the user as is (scrubbed)
    ├── ConfigError          the config file, an option or a rule cannot be used (one line each)
    ├── SourceError          one source failed this cycle; the other sources go on
    │   ├── FetchError       a request failed or was refused (`status`, `retry_after` ...)
    │   └── ParseError       a fetched document could not be read (or its parser was stopped)
    ├── DeliveryError        the delivery pass itself failed (not one receiver: that is retried)
    └── StoreError           the database failed (the message is the driver's first line)
        └── RunLockBusy      another live process holds the run lock

`describe_error` turns any exception, ours or not, into the one line the run summary,
`sources status` and the CLI show. SQLAlchemy's own message holds the whole SQL statement and
its parameters (listing text, many kilobytes of it); PostgreSQL adds DETAIL lines quoting the
values. Only the driver's first line is kept, so an error never carries listing text or a
statement into a summary, a log line or the `source_state` table.
"""

from __future__ import annotations

import sys

from aggregator import redact
from aggregator.text import clean_text

__all__ = [
    "MAX_ERROR_CHARS",
    "AggregatorError",
    "ConfigError",
    "DeliveryError",
    "FetchError",
    "ParseError",
    "SourceError",
    "StoreError",
    "describe_error",
    "one_line",
]

MAX_ERROR_CHARS = 300


class AggregatorError(Exception):
    """The root of the tree; the message is scrubbed of every known secret, URL query and
    password, because it is shown, logged and stored (`sources status`)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(redact.scrub(message))


class ConfigError(AggregatorError):
    """The configuration is invalid; `problems` holds one `path: message` line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, list[str]]]:
        return type(self), (self.source, self.problems)


class SourceError(AggregatorError):
    """A source could not be fetched or parsed; the message names the cause."""


class FetchError(SourceError):
    """A fetch failed; the message names the cause and a secret-free URL or host.

    `status` is the HTTP status for an error response, None for network failures;
    `retryable` says another try may succeed (connect errors, timeouts, 408, 429, 5xx);
    `retry_after` is the server's Retry-After in seconds, for scheduling the next fetch;
    `refused` marks our own refusal (the guard, the scope), not a failure of the server.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        refused: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.refused = refused

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled across the parse worker's pipe: the fields must survive, not only the text.
        fields = {
            "status": self.status,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "refused": self.refused,
        }
        return _rebuild_fetch_error, (type(self), str(self), fields)


def _rebuild_fetch_error(
    kind: type[FetchError], message: str, fields: dict[str, object]
) -> FetchError:
    return kind(message, **fields)  # type: ignore[arg-type]


class ParseError(SourceError):
    """A fetched document could not be read, or its parser crashed or ran out of time."""


class DeliveryError(AggregatorError):
    """The delivery pass failed as a whole (its database, a crashed sender thread)."""


class StoreError(AggregatorError):
    """The database failed; the message is the driver's first line, never the statement."""


def describe_error(error: BaseException) -> str:
    """What went wrong, in one line of at most MAX_ERROR_CHARS characters."""
    if _is_database_error(error):
        cause = getattr(error, "orig", None) or error
        return one_line(f"database error: {_first_line(cause)}")
    if isinstance(error, RecursionError):
        return "the data is nested too deeply to read"
    if isinstance(error, MemoryError):
        return "out of memory"
    return one_line(str(error) or type(error).__name__)  # every line, joined: they may all matter


def _is_database_error(error: BaseException) -> bool:
    # Only a process that loaded SQLAlchemy can hold one of its errors: `aggregate --version`
    # and the other commands that never open the store do not import it for this check.
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_exc is not None and isinstance(error, sqlalchemy_exc.SQLAlchemyError)


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` on one line (whitespace collapsed, unencodable characters replaced, known secrets
    and URL queries scrubbed), cut to `limit` characters."""
    flat = " ".join(redact.scrub(clean_text(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
