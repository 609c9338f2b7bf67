"""workweek: chats.workdays, each group's working week (/workweek)

Adds ``chats.workdays``: seven characters, Monday first, "1" for a working day ("1111100" is Monday to
Friday; bot/domain/rules.py, ``workdays_code``). NULL, as every group has after upgrading, is the default:
Monday to Friday.

Downgrading drops the column: every group is back on Monday to Friday.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-28 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workdays", sa.String(length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("workdays")
