"""The part of the store the deliverer needs, kept narrow so notify never imports store."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from aggregator.models import Listing, OutboxEntry

__all__ = ["OutboxStore"]


class OutboxStore(Protocol):
    """The part of the store the deliverer needs (kept narrow so notify never imports store)."""

    def claim_due(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int = ...,
        channels: Collection[str] | None = ...,
        kinds: Collection[str] | None = ...,
        same_rule: bool = ...,
    ) -> list[OutboxEntry]: ...
    def renew(
        self,
        entries: Sequence[OutboxEntry],
        *,
        now: datetime,
        lease: timedelta,
        done_urls: frozenset[int] = ...,
    ) -> bool: ...
    def release(self, entries: Sequence[OutboxEntry]) -> None: ...
    def mark_sent(self, entry: OutboxEntry, *, now: datetime, message_id: str) -> bool: ...
    def mark_sent_alone(self, entries: Sequence[OutboxEntry], *, now: datetime) -> set[int]: ...
    def mark_failed(
        self,
        entry: OutboxEntry,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None,
        done_urls: frozenset[int] = ...,
    ) -> bool: ...
    def defer(self, entry: OutboxEntry, *, until: datetime) -> bool: ...
    def sent_messages_since(self, channel: str, since: datetime) -> int: ...
    def enqueue_notice(self, *, key: str, channel: str, text: str, now: datetime) -> bool: ...
    def listings(self, ids: Collection[int]) -> dict[int, Listing]: ...
