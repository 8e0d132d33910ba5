"""The database schema as SQLAlchemy Core tables; migrations must create exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from aggregator.store.types import UTCDateTime

__all__ = [
    "listing_keys",
    "listings",
    "locks",
    "matches",
    "merge_overrides",
    "metadata",
    "outbox",
    "sightings",
    "source_state",
]

# Deterministic constraint names, so later migrations (and SQLite batch mode) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NAME = 64  # source, rule, channel and lock names (config limits them to 64 characters)

metadata = MetaData(naming_convention=NAMING_CONVENTION)

listings = Table(
    "listings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("company", Text),
    Column("location", Text),
    Column("description", Text, nullable=False),
    Column("description_html", Text),
    Column("tags", JSON, nullable=False),
    Column("posted_at", UTCDateTime, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False, index=True),
    # Nothing writes it yet: kept for the cross-source merge (issue 10), which keys content
    # matches on it, so that it needs no migration of its own.
    Column("fingerprint", String(128), index=True),
    # models.JobDetails, one column per field (rows.JOB_FIELDS maps them).
    Column("remote", String(8), nullable=False, server_default="unknown"),
    Column("employment_type", String(32)),
    Column("pay_min", Float),
    Column("pay_max", Float),
    Column("currency", String(8)),
    Column("pay_period", String(16)),
    Column("duration", Text),
    Column("duration_min_hours", Float),
    Column("duration_max_hours", Float),
    Column("deadline", UTCDateTime),
    # Lifecycle (migration 0006): open while any sighting is open and the deadline has not
    # passed; closed (every sighting gone from its board) or expired (past its deadline).
    Column("status", String(16), nullable=False, server_default="open", index=True),
    Column("closed_at", UTCDateTime),
    # The listing this one reposts: the same text under a new requisition, 60+ days later.
    Column("reposted_from", Integer),
    CheckConstraint("status IN ('open', 'closed', 'expired')", name="status"),
)

sightings = Table(
    "sightings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(NAME), nullable=False),
    Column("dedup_key", Text, nullable=False),
    Column("external_id", Text),
    Column("url", Text),
    Column(
        "listing_id",
        Integer,
        ForeignKey("listings.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    # Set when a source that lists its whole board no longer lists this posting.
    Column("closed_at", UTCDateTime),
    # Why this sighting joined its listing ("same Greenhouse job acme/123"); NULL: it made it.
    Column("merge_reason", Text),
    # The posting's identity (merge.Identity as JSON), compared with later candidates.
    Column("identity", JSON),
    UniqueConstraint("source", "dedup_key"),
)

# Blocking keys of a listing (an ATS job id, company and title ...): a new posting is compared
# only with the listings that share one of its keys, never with the whole store.
listing_keys = Table(
    "listing_keys",
    metadata,
    Column("key", String(255), primary_key=True),
    Column(
        "listing_id",
        Integer,
        ForeignKey("listings.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

# A user's correction of a wrong merge (`aggregate listings split`): the sighting
# (source, dedup_key) stays apart from `listing_id`, in later runs too.
merge_overrides = Table(
    "merge_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("source", String(NAME), nullable=False),
    Column("dedup_key", Text, nullable=False),
    Column("listing_id", Integer, nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('apart')", name="kind"),
)

matches = Table(
    "matches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("listing_id", Integer, ForeignKey("listings.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(NAME), nullable=False),
    Column("why", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("listing_id", "rule"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(255), nullable=False, unique=True),
    # NULL only for notices (a "channel failing" message), which are about no listing.
    Column(
        "listing_id",
        Integer,
        ForeignKey("listings.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    Column("rule", String(NAME), nullable=False),
    Column("channel", String(NAME), nullable=False),
    # alert (instant), digest (waits for its rule's digest time) or notice (to the admin).
    Column("kind", String(16), nullable=False, server_default="alert"),
    Column("why", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_until", UTCDateTime),
    Column("lease_token", String(64)),
    # The holder id (liveness.py) of the lease: a dead holder's leases are claimable at once.
    Column("lease_holder", String(NAME)),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    # Indices of the channel's URLs that already took this row, so a retry skips them.
    Column("done_urls", String(255)),
    # The message that carried the row: its key, or a digest's id (max_per_hour counts these).
    Column("message_id", String(255)),
    CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
    CheckConstraint("kind IN ('alert', 'digest', 'notice')", name="kind"),
    # claim_due's lookup: pending rows by due time.
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    # max_per_hour's count of recent messages per channel.
    Index("ix_outbox_channel_sent_at", "channel", "sent_at"),
)

source_state = Table(
    "source_state",
    metadata,
    Column("name", String(NAME), primary_key=True),
    Column("last_attempt_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_new_item_at", UTCDateTime),
    Column("next_due_at", UTCDateTime),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", String(128)),
    # Health (migration 0004): the failing streak's start, a disable, a silence, the usual gap.
    Column("failing_since", UTCDateTime),
    Column("disabled_at", UTCDateTime),
    Column("disabled_reason", Text),
    Column("silent_since", UTCDateTime),
    Column("usual_gap_seconds", Float),
    # Where a stream source stopped (migration 0007): an IMAP folder's UIDVALIDITY and last UID.
    Column("cursor", Text),
)

locks = Table(
    "locks",
    metadata,
    Column("name", String(NAME), primary_key=True),
    # A holder id (liveness.py): the lock is free as soon as that holder's process is dead.
    Column("holder", String(NAME), nullable=False),
    Column("since", UTCDateTime, nullable=False),
)
