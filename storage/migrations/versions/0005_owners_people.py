"""owners by user id: action_items.owner_ids, people (user id → current username)

An action item's owners keep their names as shown and gain the Telegram user id of each
(``owner_ids``, aligned with ``owners``; null where not known yet: existing items start unresolved and
are bound when their @username user is first seen). ``people`` remembers the current username of the
users Kembar has seen, to resolve an @username given as an owner.

Downgrading drops both (the names stay).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 23:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action_items") as batch:
        batch.add_column(sa.Column("owner_ids", sa.JSON(), nullable=True))
    op.create_table(
        "people",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=32), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_username"), "people", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_people_username"), table_name="people")
    op.drop_table("people")
    with op.batch_alter_table("action_items") as batch:
        batch.drop_column("owner_ids")
