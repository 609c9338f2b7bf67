"""retention and approval: indexes for the daily clean-up, the operator's approved groups

Adds indexes on ``message_links.created_at`` and ``translation_cache.created_at`` (the retention job
deletes by age) and the ``approved_chats`` table. Downgrading drops them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_message_links_created_at"), "message_links", ["created_at"], unique=False)
    op.create_index("ix_translation_cache_created_at", "translation_cache", ["created_at"], unique=False)
    op.create_table(
        "approved_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_approved_chats")),
    )


def downgrade() -> None:
    op.drop_table("approved_chats")
    op.drop_index("ix_translation_cache_created_at", table_name="translation_cache")
    op.drop_index(op.f("ix_message_links_created_at"), table_name="message_links")
