"""meetings: a meeting time across the bridge (/meet)

- ``meetings``: a proposal, numbered per scope (``meeting_counters``), with its proposed slots (JSON, ISO
  instants), its state (proposed, confirmed, cancelled), the confirmed slot and the ids of its reminders;
  ``starts_at``/``ends_at`` for listing and retention.
- ``meeting_votes``: one person's vote for one slot (unique per meeting, slot and person), with the group it
  was given in.
- ``meeting_posts``: the proposal message in each group (edited with the live tallies).

Downgrading drops the tables.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_counters",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_meeting_counters")),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("confirmed_slot", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminder_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("scope", "number", name="uq_meetings_scope_number"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_meetings_scope_state_ends", "meetings", ["scope", "state", "ends_at"])
    op.create_index("ix_meetings_ends_at", "meetings", ["ends_at"])
    op.create_table(
        "meeting_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_votes_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_votes")),
        sa.UniqueConstraint("meeting_id", "slot", "user_id", name="uq_meeting_votes_meeting_slot_user"),
    )
    op.create_index(op.f("ix_meeting_votes_chat_id"), "meeting_votes", ["chat_id"])
    op.create_table(
        "meeting_posts",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_posts_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "chat_id", name=op.f("pk_meeting_posts")),
    )
    op.create_index(op.f("ix_meeting_posts_chat_id"), "meeting_posts", ["chat_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_posts_chat_id"), table_name="meeting_posts")
    op.drop_table("meeting_posts")
    op.drop_index(op.f("ix_meeting_votes_chat_id"), table_name="meeting_votes")
    op.drop_table("meeting_votes")
    op.drop_index("ix_meetings_ends_at", table_name="meetings")
    op.drop_index("ix_meetings_scope_state_ends", table_name="meetings")
    op.drop_table("meetings")
    op.drop_table("meeting_counters")
