"""Initial schema: listings, sightings, matches, outbox, source_state, locks."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of the types at this revision: later edits to tables.py must not change history.
NAME = sa.String(64)
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    _create_listings()
    _create_sightings()
    _create_matches()
    _create_outbox()
    _create_source_state()
    _create_locks()


def downgrade() -> None:
    for table in ("locks", "source_state", "outbox", "matches", "sightings", "listings"):
        op.drop_table(table)


def _listing_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["listing_id"],
        ["listings.id"],
        ondelete="CASCADE",
        name=f"fk_{table}_listing_id_listings",
    )


def _create_listings() -> None:
    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("posted_at", UTC_DATETIME, nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_listings"),
    )
    op.create_index("ix_listings_first_seen_at", "listings", ["first_seen_at"])
    op.create_index("ix_listings_fingerprint", "listings", ["fingerprint"])


def _create_sightings() -> None:
    op.create_table(
        "sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", NAME, nullable=False),
        sa.Column("dedup_key", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sightings"),
        _listing_fk("sightings"),
        sa.UniqueConstraint("source", "dedup_key", name="uq_sightings_source_dedup_key"),
    )
    op.create_index("ix_sightings_listing_id", "sightings", ["listing_id"])


def _create_matches() -> None:
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("rule", NAME, nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_matches"),
        _listing_fk("matches"),
        sa.UniqueConstraint("listing_id", "rule", name="uq_matches_listing_id_rule"),
    )


def _create_outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("rule", NAME, nullable=False),
        sa.Column("channel", NAME, nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=False),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("lease_token", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        _listing_fk("outbox"),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name="ck_outbox_status"),
    )
    op.create_index("ix_outbox_listing_id", "outbox", ["listing_id"])
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])


def _create_source_state() -> None:
    op.create_table(
        "source_state",
        sa.Column("name", NAME, nullable=False),
        sa.Column("last_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("last_success_at", UTC_DATETIME, nullable=True),
        sa.Column("last_new_item_at", UTC_DATETIME, nullable=True),
        sa.Column("next_due_at", UTC_DATETIME, nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_source_state"),
    )


def _create_locks() -> None:
    op.create_table(
        "locks",
        sa.Column("name", NAME, nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_locks"),
    )
