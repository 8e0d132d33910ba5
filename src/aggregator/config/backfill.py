"""`backfill`: how far back the first fetch of a source (or one after a long pause) alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aggregator.config.bounds import MAX_DURATION, format_duration, parse_duration, shown

__all__ = ["DEFAULT_BACKFILL", "Backfill", "parse_backfill"]


@dataclass(frozen=True, slots=True)
class Backfill:
    """`3d` (alert what was posted within 3 days), `all` (alert every posting) or `none`."""

    window: timedelta | None  # None: all; timedelta(0): none

    @property
    def everything(self) -> bool:
        return self.window is None

    @property
    def nothing(self) -> bool:
        return self.window == timedelta(0)

    def __str__(self) -> str:
        if self.window is None:
            return "all"
        return "none" if self.nothing else format_duration(self.window)


DEFAULT_BACKFILL = Backfill(timedelta(days=3))


def parse_backfill(value: object) -> Backfill:
    """`all`, `none`, or a duration from 1s to MAX_DURATION (`12h`, `3d`, `2w`)."""
    if isinstance(value, Backfill):
        return value
    if isinstance(value, str) and value.strip().lower() in ("all", "none"):
        return Backfill(None if value.strip().lower() == "all" else timedelta(0))
    try:
        return Backfill(parse_duration(value, longest=MAX_DURATION))
    except ValueError as exc:
        if "from 1s to" in str(exc):
            raise  # a duration, but too long: the range says why
        raise ValueError(
            f"expected all, none or a duration such as 12h or 3d, got {shown(value)}"
        ) from None
