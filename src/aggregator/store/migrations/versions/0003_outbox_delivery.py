"""Outbox delivery: row kinds (alert, digest, notice), per-URL progress and message ids."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_outbox_delivery"
down_revision: str | None = "0002_job_details"
branch_labels: str | None = None
depends_on: str | None = None

KIND_CHECK = "kind IN ('alert', 'digest', 'notice')"


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to relax NOT NULL and to add a CHECK constraint.
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("listing_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="alert"))
        batch.add_column(sa.Column("done_urls", sa.String(255)))
        batch.add_column(sa.Column("message_id", sa.String(255)))
        batch.create_check_constraint("kind", KIND_CHECK)
        batch.create_index("ix_outbox_channel_sent_at", ["channel", "sent_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_channel_sent_at")
        batch.drop_constraint("ck_outbox_kind", type_="check")
        batch.drop_column("message_id")
        batch.drop_column("done_urls")
        batch.drop_column("kind")
        batch.alter_column("listing_id", existing_type=sa.Integer(), nullable=False)
