"""What the mail adapters (imap, maildir, mbox) share: the caps, the parsers, one page a message."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Any, ClassVar, TypeVar

from pydantic import Field, field_validator

from aggregator.adapters.base import Adapter, AdapterOptions
from aggregator.adapters.mail.senders import ENTRY_POINT_GROUP, parse_message
from aggregator.models import RawPosting

__all__ = [
    "DEFAULT_MAX_MESSAGES",
    "DEFAULT_MAX_MESSAGE_BYTES",
    "MESSAGE_TYPE",
    "MailAdapter",
    "MailOptions",
    "oversized_note",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGES = 200
MESSAGE_TYPE = "message/rfc822"  # a page's content type: one raw e-mail
# Alert e-mails are tens of KB, with their HTML; a message of megabytes carries attachments.
DEFAULT_MAX_MESSAGE_BYTES = 2 * 1024 * 1024


class MailOptions(AdapterOptions):
    """The options every mail adapter takes."""

    max_messages: int = Field(
        DEFAULT_MAX_MESSAGES,
        ge=1,
        le=10_000,
        description="messages read per run, oldest first (a big mailbox takes several runs)",
    )
    max_message_bytes: int = Field(
        DEFAULT_MAX_MESSAGE_BYTES,
        ge=1024,
        description="a bigger message is skipped (and counted), never read",
    )
    parsers: tuple[str, ...] | None = Field(
        None, description="only these sender parsers (default: every installed one)"
    )

    @field_validator("parsers", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


MailOptionsT = TypeVar("MailOptionsT", bound=MailOptions)


class MailAdapter(Adapter[MailOptionsT]):
    """A mail source: each message is one page (its raw RFC 822 bytes), parsed by the first
    sender parser that recognises it; a message none recognises is skipped and counted."""

    needs_url: ClassVar[bool] = False

    @classmethod
    def parse_modules(cls) -> tuple[str, ...]:
        """The adapter's module and the installed sender parsers' modules (imported lazily, by
        the first `parse_message`, which would be inside a parse's deadline)."""
        parsers = (point.module for point in entry_points(group=ENTRY_POINT_GROUP))
        return (cls.__module__, *dict.fromkeys(parsers))

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        try:
            _parser, postings = parse_message(body, only=self.options.parsers)
        except (ValueError, LookupError, RecursionError) as exc:
            # One broken message (or a parser's bug on it) must not fail the batch: the
            # cursor would then never pass it, and the mailbox would be stuck behind it.
            log.warning("source %s: cannot parse %s: %s", self.source.name, url, exc)
            return []
        return postings

    def unparsed_note(self, pages: int) -> str | None:
        return f"{_messages(pages)} no sender parser recognised, skipped"


def oversized_note(count: int, limit: int) -> str:
    """The run-summary note for messages skipped for their size."""
    return f"{_messages(count)} over max_message_bytes ({limit} bytes), skipped"


def _messages(count: int) -> str:
    return f"{count} message" + ("" if count == 1 else "s")
