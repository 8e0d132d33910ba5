"""No backlog flood: a source's first fetch, or its first after a long pause, alerts only
what was posted within its `backfill`; the older matches are recorded but never queued."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aggregator.config.model import Backfill, Config, SourceConfig, format_duration
from aggregator.models import Listing, Match, SourceState

__all__ = ["HoldBack", "hold_back"]

# A source fetched on schedule is never caught up: its usual gap may be longer than the window
# (a weekly source with `backfill: 3d`), and what it lists since its last run is all new.
PAUSE_INTERVALS = 2


@dataclass(frozen=True, slots=True)
class HoldBack:
    """This fetch catches up: listings posted before `cutoff` do not alert (`none`: none do)."""

    backfill: Backfill
    cutoff: datetime | None  # None: `none`, every listing is held back
    why: str  # "first fetch", "last success 12d ago"

    def holds(self, listing: Listing) -> bool:
        return self.cutoff is None or listing.posted_at < self.cutoff

    def split(
        self, matches: Sequence[Match], listings: Mapping[int, Listing]
    ) -> tuple[list[Match], set[int]]:
        """The matches that alert, and the ids of the listings whose matches are held back."""
        held = {m.listing_id for m in matches if self.holds(listings[m.listing_id])}
        return [m for m in matches if m.listing_id not in held], held

    def note(self, count: int) -> str:
        """The run summary's line: "first fetch: held back 180 older postings (...)"."""
        postings = "posting" if count == 1 else "postings"
        if self.cutoff is None:
            what = f"held back {count} {postings} (backfill none)"
        else:
            since = f"posted before {self.cutoff:%Y-%m-%d %H:%M} UTC"
            what = f"held back {count} older {postings} ({since}; backfill {self.backfill})"
        return f"{self.why}: {what}; their matches are recorded, not alerted"


def hold_back(
    config: Config, source: SourceConfig, state: SourceState | None, *, now: datetime
) -> HoldBack | None:
    """The source's hold-back for this fetch, or None when everything it finds may alert: it
    succeeded within the window (and within PAUSE_INTERVALS times its interval), or its
    backfill is `all`."""
    backfill = source.backfill or config.backfill
    if backfill.window is None:
        return None
    last = state.last_success_at if state else None
    if last is None:
        why = "first fetch"
    else:
        pause = max(backfill.window, source.interval * PAUSE_INTERVALS)
        if now - last <= pause:
            return None
        why = f"last success {format_duration(_whole(now - last))} ago"
    cutoff = None if backfill.nothing else now - backfill.window
    return HoldBack(backfill, cutoff, why)


def _whole(gap: timedelta) -> timedelta:
    """Whole days from a day on, else whole hours (at least one): how long the pause was."""
    unit = timedelta(days=1) if gap >= timedelta(days=1) else timedelta(hours=1)
    return max(unit * (gap // unit), unit)
