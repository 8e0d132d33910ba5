"""Sender parsers: one per platform that sends job alerts, chosen by the message's From and
headers, registered through the `aggregator.mail_parsers` entry-point group."""

from __future__ import annotations

import abc
import functools
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import ClassVar

from aggregator.adapters.mail.message import MailMessage, read_message
from aggregator.errors import AggregatorError
from aggregator.models import RawPosting

__all__ = [
    "ENTRY_POINT_GROUP",
    "MailParser",
    "parse_message",
    "sender_parsers",
]

ENTRY_POINT_GROUP = "aggregator.mail_parsers"


class MailParser(abc.ABC):
    """One sender's alert format. `recognises` looks at headers only (cheap); `parse` turns a
    recognised message into postings, pure (no network: links are never followed)."""

    name: ClassVar[str]
    # Parsers are tried by priority, highest first; the generic fallback has the lowest.
    priority: ClassVar[int] = 100

    @abc.abstractmethod
    def recognises(self, message: MailMessage) -> bool:
        """Whether this message is this sender's alert (by From, List-Id, other headers)."""

    @abc.abstractmethod
    def parse(self, message: MailMessage) -> list[RawPosting]:
        """The postings of a recognised message; [] when it holds none."""


@functools.cache
def sender_parsers() -> tuple[MailParser, ...]:
    """The installed sender parsers, highest priority first (ties by name)."""
    parsers: list[MailParser] = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        loaded = point.load()
        if not (isinstance(loaded, type) and issubclass(loaded, MailParser)):
            raise AggregatorError(f"mail parser {point.name!r} ({point.value}) is no MailParser")
        parsers.append(loaded())
    return tuple(sorted(parsers, key=lambda p: (-p.priority, p.name)))


def parse_message(
    raw: bytes, *, only: Sequence[str] | None = None
) -> tuple[str | None, list[RawPosting]]:
    """The postings of one raw message by the first parser that recognises it and finds
    postings in it (`only`: the parser names allowed), and that parser's name; (None, [])
    when no parser does (the caller skips and counts the message)."""
    message = read_message(raw)
    for parser in sender_parsers():
        if only is not None and parser.name not in only:
            continue
        if parser.recognises(message) and (postings := parser.parse(message)):
            return parser.name, postings
    return None, []
