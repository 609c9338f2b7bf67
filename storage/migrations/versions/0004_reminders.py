"""reminders: reminders per scope and chat (numbered, claimable), reminder settings, chat schedules

Replaces the reminders table of 0001, which no release has written to, by one that knows its scope and
number (reminder_counters hands out the numbers), the instant a reminder stands for, its language,
recurrence, time zone and lead time, who claimed it and whether it went out late. Adds the reminder
settings of a scope (reminder_settings) and the quiet hours and digest of a chat (chat_schedules).

Downgrading discards all reminders, settings and schedules: nothing before 0004 reads them. No other
table is touched either way.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Dropping a table nobody refers to (its indexes go with it) deletes nothing elsewhere, on SQLite too.
    op.drop_table("reminders")
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nominal_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recurrence", sa.String(length=255), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("lead_seconds", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_items.id"],
            name=op.f("fk_reminders_action_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_reminders_chat_id_chats"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        # A deleted reminder's id is never handed out again on SQLite: buttons and jobs refer to it.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reminders_state_due", "reminders", ["state", "due_at"], unique=False)
    op.create_index(
        "ix_reminders_chat_kind_state_due", "reminders", ["chat_id", "kind", "state", "due_at"], unique=False
    )
    op.create_index("ix_reminders_scope_number_state", "reminders", ["scope", "number", "state"], unique=False)
    op.create_index(
        "ix_reminders_action_item_state_due", "reminders", ["action_item_id", "state", "due_at"], unique=False
    )

    op.create_table(
        "reminder_counters",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_reminder_counters")),
    )
    op.create_table(
        "reminder_settings",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("lead_seconds", sa.JSON(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_reminder_settings")),
    )
    op.create_table(
        "chat_schedules",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("digest_weekday", sa.Integer(), nullable=True),
        sa.Column("digest_time", sa.String(length=5), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_chat_schedules_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_schedules")),
    )


def downgrade() -> None:
    op.drop_table("chat_schedules")
    op.drop_table("reminder_settings")
    op.drop_table("reminder_counters")
    op.drop_table("reminders")
    # The reminders table of 0001.
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recurrence", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_items.id"],
            name=op.f("fk_reminders_action_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_reminders_chat_id_chats"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index(op.f("ix_reminders_chat_id"), "reminders", ["chat_id"], unique=False)
    op.create_index("ix_reminders_state_due", "reminders", ["state", "due_at"], unique=False)
