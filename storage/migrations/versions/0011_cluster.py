"""cluster: several instances on one database — who delivers to which chat, who took which update

Adds the ``delivery_leases`` table and ``inbox.holder``. Downgrading drops both (a single instance
needs neither).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-15 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_leases",
        sa.Column("dst_chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dst_chat_id", name=op.f("pk_delivery_leases")),
    )
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("holder", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("holder")
    op.drop_table("delivery_leases")
