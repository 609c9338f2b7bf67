"""link code uses: a code for several groups (/link <n>)

- ``link_codes.uses_left``: the redemptions a code has left: 1 for a one-time code (every code so far), up to
  LINK_CODE_USES_MAX for ``/link <n>``, 0 once spent. The codes already used get 0.

Downgrading drops the column.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uses_left", sa.Integer(), server_default=sa.text("1"), nullable=False))
    link_codes = sa.table("link_codes", sa.column("used_at", sa.DateTime()), sa.column("uses_left", sa.Integer()))
    op.execute(link_codes.update().where(link_codes.c.used_at.is_not(None)).values(uses_left=0))


def downgrade() -> None:
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.drop_column("uses_left")
