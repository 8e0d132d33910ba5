"""Holders that die with their process: who holds an outbox lease, and the run lock's since."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_holders"
down_revision: str | None = "0004_source_health"
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of the types at this revision: later edits to tables.py must not change history.
UTC_DATETIME = sa.DateTime(timezone=True)
HOLDER = sa.String(64)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lease_holder", HOLDER))
    # A lock row of the lease era names no holder whose liveness can be checked; the lock is
    # free once the schema is upgraded (no process of that era may run against it any more).
    op.execute("DELETE FROM locks")
    with op.batch_alter_table("locks") as batch:
        batch.drop_column("expires_at")
        batch.add_column(sa.Column("since", UTC_DATETIME, nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM locks")
    with op.batch_alter_table("locks") as batch:
        batch.drop_column("since")
        batch.add_column(sa.Column("expires_at", UTC_DATETIME, nullable=False))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("lease_holder")
