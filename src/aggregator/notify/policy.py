"""Delivery limits per channel: quiet hours (wait for the window's end) and max_per_hour."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from aggregator.notify.channels import Channel
from aggregator.notify.schedules import quiet_until

__all__ = ["Budget", "open_channels"]

HOUR = timedelta(hours=1)
MIN_DEFER = timedelta(minutes=1)


class _SentCounter(Protocol):
    def sent_messages_since(self, channel: str, since: datetime) -> int: ...


def open_channels(
    channels: Mapping[str, Channel], *, now: datetime, zone: tzinfo = UTC
) -> list[str]:
    """The channels outside their quiet hours; the others' rows simply wait, never dropped."""
    names = []
    for name, channel in channels.items():
        quiet = channel.config.quiet_hours
        if quiet is None or quiet_until(quiet, now, _zone(zone)) is None:
            names.append(name)
    return names


def _zone(zone: tzinfo) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


class Budget:
    """How many more messages each channel may get in the hour ending now (max_per_hour).

    Each channel's deliverer thread asks about its own channel only.
    """

    def __init__(self, store: _SentCounter, channels: Mapping[str, Channel], now: datetime) -> None:
        self._store = store
        self._channels = channels
        self._now = now
        self._left: dict[str, int] = {}

    def left(self, channel: str) -> int | None:
        """Messages still allowed this hour; None when the channel has no limit."""
        limit = self._channels[channel].config.max_per_hour
        if limit is None:
            return None
        if channel not in self._left:
            sent = self._store.sent_messages_since(channel, self._now - HOUR)
            self._left[channel] = max(0, limit - sent)
        return self._left[channel]

    def free_at(self, channel: str) -> datetime:
        """When to look again at a channel whose budget is spent: a message's share of the
        hour, at least a minute."""
        limit = self._channels[channel].config.max_per_hour or 1
        return self._now + max(HOUR / limit, MIN_DEFER)

    def spend(self, channel: str) -> None:
        if self.left(channel) is not None:
            self._left[channel] = max(0, self._left[channel] - 1)
