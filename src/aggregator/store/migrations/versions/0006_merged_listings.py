"""One listing, many sightings: listing status, reposts, identity keys, merge reasons, overrides."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_merged_listings"
down_revision: str | None = "0005_holders"
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of the types at this revision: later edits to tables.py must not change history.
UTC_DATETIME = sa.DateTime(timezone=True)
NAME = sa.String(64)


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="open"))
        batch.add_column(sa.Column("closed_at", UTC_DATETIME))
        batch.add_column(sa.Column("reposted_from", sa.Integer))
        batch.create_check_constraint("status", "status IN ('open', 'closed', 'expired')")
        batch.create_index("ix_listings_status", ["status"])
    with op.batch_alter_table("sightings") as batch:
        batch.add_column(sa.Column("closed_at", UTC_DATETIME))
        batch.add_column(sa.Column("merge_reason", sa.Text))
        batch.add_column(sa.Column("identity", sa.JSON))
    op.create_table(
        "listing_keys",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column(
            "listing_id",
            sa.Integer,
            sa.ForeignKey(
                "listings.id", ondelete="CASCADE", name="fk_listing_keys_listing_id_listings"
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", "listing_id", name="pk_listing_keys"),
    )
    op.create_index("ix_listing_keys_listing_id", "listing_keys", ["listing_id"])
    op.create_table(
        "merge_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", NAME, nullable=False),
        sa.Column("dedup_key", sa.Text, nullable=False),
        sa.Column("listing_id", sa.Integer, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("kind IN ('apart')", name="ck_merge_overrides_kind"),
    )
    op.create_index("ix_merge_overrides_listing_id", "merge_overrides", ["listing_id"])


def downgrade() -> None:
    op.drop_index("ix_merge_overrides_listing_id", "merge_overrides")
    op.drop_table("merge_overrides")
    op.drop_index("ix_listing_keys_listing_id", "listing_keys")
    op.drop_table("listing_keys")
    with op.batch_alter_table("sightings") as batch:
        batch.drop_column("identity")
        batch.drop_column("merge_reason")
        batch.drop_column("closed_at")
    with op.batch_alter_table("listings") as batch:
        batch.drop_index("ix_listings_status")
        batch.drop_constraint("ck_listings_status", type_="check")
        batch.drop_column("reposted_from")
        batch.drop_column("closed_at")
        batch.drop_column("status")
