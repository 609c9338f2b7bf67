"""forget the text: the translation cache knows its bridges; the history of forgotten groups without text

Adds ``translation_cache.bridge_id`` (the bridge an entry was stored for; indexed) and the
``translation_cache_chats`` table (which groups' texts a bridge's entries may hold), so that ``/forget``
can delete a group's texts from the cache (storage/chatdata.py). Entries cached before this revision have
no bridge: the next ``/forget`` deletes them all, as it cannot tell whose they are.

The history a forgotten group left behind loses its text now, as a group forgotten from this revision
on: ``detail`` of its events and ``note`` of its indicator updates (rows whose group is no longer in
``chats``: only ``/forget`` deletes a group), and ``detail`` of every event about an action item that is
no longer stored (only ``/forget`` deletes one: the items a forgotten group created). Their ``city`` is left
as it is (whether it was the group's city or its title can no longer be told).

Downgrading drops the column, its index and the table; the blanked text does not come back.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-22 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("translation_cache") as batch:
        batch.add_column(sa.Column("bridge_id", sa.Integer(), nullable=True))
        batch.create_index("ix_translation_cache_bridge_id", ["bridge_id"], unique=False)
    op.create_table(
        "translation_cache_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("bridge_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "bridge_id", name=op.f("pk_translation_cache_chats")),
    )
    op.execute(
        "UPDATE events SET detail = NULL WHERE detail IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM chats WHERE chats.id = events.chat_id)"
    )
    op.execute(
        "UPDATE indicator_updates SET note = NULL WHERE note IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM chats WHERE chats.id = indicator_updates.chat_id)"
    )
    op.execute(
        "UPDATE events SET detail = NULL WHERE detail IS NOT NULL AND item_number IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM action_items WHERE action_items.scope = events.scope "
        "AND action_items.number = events.item_number)"
    )


def downgrade() -> None:
    op.drop_table("translation_cache_chats")
    with op.batch_alter_table("translation_cache") as batch:
        batch.drop_index("ix_translation_cache_bridge_id")
        batch.drop_column("bridge_id")
