"""relay: outbox (relay_jobs), glossary_terms, chats.show_original, one message link per part

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 01:08:32.045859
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relay_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bridge_id", sa.Integer(), nullable=True),
        sa.Column("src_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("src_message_id", sa.BigInteger(), nullable=False),
        sa.Column("dst_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_jobs")),
        sa.UniqueConstraint(
            "src_chat_id", "src_message_id", "dst_chat_id", "version", name="uq_relay_jobs_src_dst_version"
        ),
    )
    with op.batch_alter_table("relay_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_relay_jobs_dst_state", ["dst_chat_id", "state", "id"], unique=False)
        batch_op.create_index("ix_relay_jobs_state", ["state", "id"], unique=False)

    op.create_table(
        "glossary_terms",
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("term_key", sa.String(length=255), nullable=False),
        sa.Column("term", sa.String(length=255), nullable=False),
        sa.Column("renderings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bridge_id"], ["bridges.id"], name=op.f("fk_glossary_terms_bridge_id_bridges"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("bridge_id", "term_key", name=op.f("pk_glossary_terms")),
    )

    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("show_original", sa.Boolean(), server_default=sa.false(), nullable=False))

    # A long message split into parts has one link per part: unique per destination message.
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.drop_constraint("uq_message_links_src_dst", type_="unique")
        batch_op.create_unique_constraint(
            "uq_message_links_src_dst_part", ["src_chat_id", "src_message_id", "dst_chat_id", "dst_message_id"]
        )


def downgrade() -> None:
    # Back to one link per (source message, destination chat): keep the first part of each copy.
    op.execute(
        sa.text(
            "DELETE FROM message_links WHERE EXISTS ("
            " SELECT 1 FROM message_links AS m"
            " WHERE m.src_chat_id = message_links.src_chat_id"
            " AND m.src_message_id = message_links.src_message_id"
            " AND m.dst_chat_id = message_links.dst_chat_id"
            " AND m.dst_message_id < message_links.dst_message_id)"
        )
    )
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.drop_constraint("uq_message_links_src_dst_part", type_="unique")
        batch_op.create_unique_constraint("uq_message_links_src_dst", ["src_chat_id", "src_message_id", "dst_chat_id"])

    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("show_original")

    op.drop_table("glossary_terms")
    with op.batch_alter_table("relay_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_relay_jobs_state")
        batch_op.drop_index("ix_relay_jobs_dst_state")

    op.drop_table("relay_jobs")
