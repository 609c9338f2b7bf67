"""calendars: each group's country, region and working hours, its extra days off, and where a reminder was set

- ``chats.country`` (ISO 3166 alpha-2) and ``chats.region`` (the holidays library's subdivision): whose public
  holidays the group keeps; NULL: guessed from the group's zone.
- ``chats.work_hours`` ("08:00-17:00", local wall clock; bot/domain/rules.py, ``work_hours_code``); NULL: the
  default, 08:00–17:00.
- ``days_off``: a group's extra days off (collective leave, closures), numbered per group, each a period of
  days with a name.
- ``reminders.origin_chat_id``: the group a person set a reminder in (its time is kept there as said; the other
  groups' copies follow their calendars). Existing users' reminders and snoozes were honoured as set in every
  group: they keep that (their own group as origin).

Downgrading drops the columns and the table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("work_hours", sa.String(length=11), nullable=True))
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_chat_id", sa.BigInteger(), nullable=True))
    op.execute("UPDATE reminders SET origin_chat_id = chat_id WHERE kind IN ('adhoc', 'recurring', 'snooze')")
    op.create_table(
        "days_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_days_off_chat_id_chats"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_days_off")),
        sa.UniqueConstraint("chat_id", "number", name="uq_days_off_chat_number"),
    )


def downgrade() -> None:
    op.drop_table("days_off")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("origin_chat_id")
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("work_hours")
        batch_op.drop_column("region")
        batch_op.drop_column("country")
