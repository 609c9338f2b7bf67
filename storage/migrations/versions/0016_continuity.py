"""continuity: decisions, evidence, the people seen per group and the welcome flag

- ``decisions``: a decision of a scope (/decision), numbered per scope, with who, city, language, programme
  (and its case-folded key) and the message that states it.
- ``evidence``: a photo, video or document posted as evidence of a programme (/evidence), numbered per scope,
  one per message (unique chat and message id); Telegram's file ids, not the file.
- ``continuity_counters``: the last number handed out per scope and kind ('decision', 'evidence').
- ``people_seen``: who was seen in which group, and when last.
- ``chats.welcome``: whether a group greets newcomers (off).

Downgrading drops the tables and the column.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-16 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("welcome", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "continuity_counters",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "kind", name=op.f("pk_continuity_counters")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("by_name", sa.String(length=128), nullable=False),
        sa.Column("city", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=True),
        sa.Column("programme_key", sa.String(length=255), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("scope", "number", name="uq_decisions_scope_number"),
    )
    op.create_index("ix_decisions_scope_created_at", "decisions", ["scope", "created_at"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("by_name", sa.String(length=128), nullable=False),
        sa.Column("city", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("file_unique_id", sa.String(length=255), nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("programme_key", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("scope", "number", name="uq_evidence_scope_number"),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_evidence_chat_message"),
    )
    op.create_index("ix_evidence_scope_created_at", "evidence", ["scope", "created_at"])
    op.create_table(
        "people_seen",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "user_id", name=op.f("pk_people_seen")),
    )
    op.create_index(op.f("ix_people_seen_user_id"), "people_seen", ["user_id"])
    op.create_index(op.f("ix_people_seen_seen_at"), "people_seen", ["seen_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_people_seen_seen_at"), table_name="people_seen")
    op.drop_index(op.f("ix_people_seen_user_id"), table_name="people_seen")
    op.drop_table("people_seen")
    op.drop_index("ix_evidence_scope_created_at", table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_decisions_scope_created_at", table_name="decisions")
    op.drop_table("decisions")
    op.drop_table("continuity_counters")
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("welcome")
