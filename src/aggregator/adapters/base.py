"""The adapter interface: `fetch` does I/O through the shared client, `parse` is pure."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from aggregator.models import RawPosting

if TYPE_CHECKING:
    from aggregator.config import SourceConfig
    from aggregator.http import HttpClient

__all__ = ["Adapter", "AdapterError", "FetchResult", "FetchState"]


class AdapterError(Exception):
    """A source could not be fetched or parsed; the message is shown to the user as is."""


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the previous fetch of a source left for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The bytes an adapter fetched (empty and `not_modified` after a 304 or an unchanged body)."""

    body: bytes
    url: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    not_modified: bool = False


class Adapter(abc.ABC):
    """One kind of source. Subclasses set `name` and are registered by entry point."""

    name: ClassVar[str]

    def __init__(self, source: SourceConfig) -> None:
        self.source = source

    @abc.abstractmethod
    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        """Fetch the source's bytes through the shared client; raise AdapterError on failure."""

    @abc.abstractmethod
    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        """Turn fetched bytes into raw postings; pure: no network, no database."""
