"""Job details on listings: remote, employment type, pay, duration and deadline."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002_job_details"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of the types at this revision: later edits to tables.py must not change history.
UTC_DATETIME = sa.DateTime(timezone=True)
COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any], dict[str, Any]], ...] = (
    ("remote", sa.String(8), {"nullable": False, "server_default": "unknown"}),
    ("employment_type", sa.String(32), {}),
    ("pay_min", sa.Float(), {}),
    ("pay_max", sa.Float(), {}),
    ("currency", sa.String(8), {}),
    ("pay_period", sa.String(16), {}),
    ("duration", sa.Text(), {}),
    ("duration_min_hours", sa.Float(), {}),
    ("duration_max_hours", sa.Float(), {}),
    ("deadline", UTC_DATETIME, {}),
)


def upgrade() -> None:
    # Batch mode: SQLite cannot add a NOT NULL column with ALTER TABLE in every version.
    with op.batch_alter_table("listings") as batch:
        for name, column_type, options in COLUMNS:
            batch.add_column(sa.Column(name, column_type, **options))


def downgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        for name, _type, _options in reversed(COLUMNS):
            batch.drop_column(name)
