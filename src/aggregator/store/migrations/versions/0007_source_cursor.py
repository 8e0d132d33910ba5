"""A source's cursor: where a stream source (an IMAP folder, a Maildir, an mbox) stopped reading."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007_source_cursor"
down_revision: str | None = "0006_merged_listings"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        batch.add_column(sa.Column("cursor", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        batch.drop_column("cursor")
