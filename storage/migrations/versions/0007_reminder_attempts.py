"""reminder attempts: failed sends are counted, and a reminder Telegram keeps refusing is stopped

Adds ``reminders.attempts`` (0 for every existing reminder). Downgrading drops it; a reminder in the
'failed' state stays as it is (nothing before 0007 picks it up again).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("attempts")
