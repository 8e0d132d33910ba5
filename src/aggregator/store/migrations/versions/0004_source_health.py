"""Source health: when and why a source was disabled, its failing streak and its silence."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004_source_health"
down_revision: str | None = "0003_outbox_delivery"
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of the types at this revision: later edits to tables.py must not change history.
UTC_DATETIME = sa.DateTime(timezone=True)
COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("failing_since", UTC_DATETIME),
    ("disabled_at", UTC_DATETIME),
    ("disabled_reason", sa.Text()),
    ("silent_since", UTC_DATETIME),
    ("usual_gap_seconds", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        for name, column_type in COLUMNS:
            batch.add_column(sa.Column(name, column_type))


def downgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
