"""inbox: updates processed at most once after their acknowledgement, and updates set aside unread

Downgrading drops the inbox (pending commands in it are lost; nothing before 0008 reads it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 01:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox")),
    )
    op.create_index("ix_inbox_state_update", "inbox", ["state", "update_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbox_state_update", table_name="inbox")
    op.drop_table("inbox")
