"""Plain data types passed between the pipeline's stages (no ORM, no I/O)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "MAX_KEY_BYTES",
    "DeliveryResult",
    "JobDetails",
    "Listing",
    "Match",
    "OutboxEntry",
    "OutboxStatus",
    "Posting",
    "RawPosting",
    "SourceRunResult",
    "SourceState",
    "posting_to_json",
]


@dataclass(frozen=True, slots=True)
class RawPosting:
    """One entry as an adapter's pure `parse` step found it, before normalization.

    Text fields are as the source gave them (HTML allowed); dates are timezone-aware when the
    source said which zone, naive otherwise (naive means UTC).
    """

    title: str
    guid: str | None = None
    url: str | None = None
    company: str | None = None
    location: str | None = None
    description_html: str | None = None
    tags: tuple[str, ...] = ()
    posted_at: datetime | None = None
    # Job fields, as structured as the source gives them; normalization parses and infers the
    # rest (pay from `pay_text` or the description, type and remote from the text).
    remote: bool | str | None = None
    employment_type: str | None = None
    pay_min: float | str | None = None
    pay_max: float | str | None = None
    currency: str | None = None
    pay_period: str | None = None
    pay_text: str | None = None
    duration_text: str | None = None
    deadline: datetime | str | int | float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JobDetails:
    """What kind of work a posting offers, as normalized from the source or inferred from text.

    `remote` is yes, no or unknown; `employment_type` one of micro-internship, internship, gig,
    contract, part-time, full-time; `pay_period` one of hour, day, week, month, year, project;
    `duration` is the phrase found ("2-4 weeks") with its bounds in hours.
    """

    remote: str = "unknown"
    employment_type: str | None = None
    pay_min: float | None = None
    pay_max: float | None = None
    currency: str | None = None
    pay_period: str | None = None
    duration: str | None = None
    duration_min_hours: float | None = None
    duration_max_hours: float | None = None
    deadline: datetime | None = None


# The longest dedup key, in UTF-8 bytes: PostgreSQL's unique index on (source, dedup_key) takes
# rows of about 2700 bytes at most, and a tracking-laden URL can be longer. Normalization turns
# a longer key into a digest; the store refuses one that is still longer.
MAX_KEY_BYTES = 2000


@dataclass(frozen=True, slots=True)
class Posting:
    """A normalized posting as seen on one source.

    `dedup_key` identifies the posting within its source: `guid:<guid>`, else `url:<url>`, else
    `hash:<sha256 of title and content>` (miniflux's fallbacks).
    """

    source: str
    dedup_key: str
    title: str
    url: str | None
    external_id: str | None
    company: str | None
    location: str | None
    description: str
    description_html: str | None
    tags: tuple[str, ...]
    posted_at: datetime
    first_seen_at: datetime
    job: JobDetails = JobDetails()


@dataclass(frozen=True, slots=True)
class Listing:
    """A stored listing: one job or gig, seen on one or more sources (its sightings).

    Its fields are those of its best sighting; `sources` names every source it was seen on.
    `status` is open, closed (every sighting gone from its board, since `closed_at`) or
    expired (past its deadline); `reposted_from` is the listing this one is a repost of.
    """

    id: int
    title: str
    url: str | None
    company: str | None
    location: str | None
    description: str
    tags: tuple[str, ...]
    posted_at: datetime
    first_seen_at: datetime
    sources: tuple[str, ...]
    job: JobDetails = JobDetails()
    status: str = "open"
    closed_at: datetime | None = None
    reposted_from: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A listing that a rule matched, with the reason in words."""

    listing_id: int
    rule: str
    why: str


class OutboxStatus(enum.StrEnum):
    """Lifecycle of an outbox row."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One alert to deliver: at most one per (listing, rule, channel), ever.

    `kind` is alert (instant), digest (sent with its rule's other matches at the digest time)
    or notice (a message about the service itself, such as a failing channel; no listing).
    `done_urls` are the indices of the channel's URLs that already took it; `lease_token`
    proves that the holder of a claim is the one recording its outcome.
    """

    id: int
    key: str
    listing_id: int | None
    rule: str
    channel: str
    why: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    kind: str = "alert"
    done_urls: frozenset[int] = frozenset()
    lease_token: str | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one outbox row during delivery."""

    outbox_id: int
    channel: str
    ok: bool
    error: str | None = None
    title: str = ""  # what was sent, for people: the listing's title (or the notice's)


@dataclass(slots=True)
class SourceRunResult:
    """Per-source summary of one cycle, for the CLI and the logs."""

    source: str
    fetched: int = 0
    new: int = 0
    matched: int = 0
    held_back: int = 0  # matched listings too old to alert on a first fetch (`backfill`)
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. a record skipped, the rest stored

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers about a source between runs: schedule, health, cache keys."""

    name: str
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_new_item_at: datetime | None = None
    next_due_at: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    cursor: str | None = None  # where a stream source (a mailbox) stopped reading
    # Health: when the current failing streak began; a disable (410 Gone, or a long streak)
    # that stays until `aggregate sources enable`; since when the source is silent; and the
    # usual gap between runs that found new items (a moving average), which silence is judged by.
    failing_since: datetime | None = None
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    silent_since: datetime | None = None
    usual_gap_seconds: float | None = None


def posting_to_json(posting: Posting) -> dict[str, Any]:
    """A Posting as a JSON-ready dict with its fields by name (dates in ISO 8601, tags a list);
    the shape `aggregate sources test --json` prints and `rules test --input` reads."""
    data = asdict(posting)
    data.update(data.pop("job"))  # job fields by name, beside the others
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
        elif isinstance(value, tuple):
            data[key] = list(value)
    return data
