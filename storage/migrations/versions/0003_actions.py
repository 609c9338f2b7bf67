"""actions: action items and programmes per scope, numbered per scope (action_counters)

Reshapes the action_items and programmes tables of 0001, which no release has written to: both belong to
a scope ("b<bridge id>" or "c<chat id>") instead of a bridge, programmes get a case-folded name key unique
per scope and a goal, action items a number unique per scope and a list of owners.

Downgrading discards all action items (and the reminders linked to them) and programmes: the schema of
0002 has no scope nor number for them, and nothing before 0003 reads them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 01:33:49.533454
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT: a deleted bridge's id is never handed out again (items are scoped by it).
        with op.batch_alter_table("bridges", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
    op.create_table(
        "action_counters",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_action_counters")),
    )

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programmes_bridge_id"))
        batch_op.drop_constraint(batch_op.f("fk_programmes_bridge_id_bridges"), type_="foreignkey")
        batch_op.drop_column("bridge_id")
        batch_op.drop_column("description")
        batch_op.add_column(sa.Column("scope", sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column("name_key", sa.String(length=255), nullable=False))
        batch_op.add_column(sa.Column("goal", sa.Text(), nullable=True))
        batch_op.alter_column(
            "name", existing_type=sa.String(length=255), type_=sa.String(length=64), existing_nullable=False
        )
        batch_op.create_unique_constraint("uq_programmes_scope_name_key", ["scope", "name_key"])

    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_column("owner_chat_id")
        batch_op.drop_column("owner")
        batch_op.add_column(sa.Column("scope", sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("owners", sa.JSON(), nullable=False))
        batch_op.create_unique_constraint("uq_action_items_scope_number", ["scope", "number"])
        batch_op.create_index("ix_action_items_scope_status_due", ["scope", "status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_items_programme_id"), ["programme_id"], unique=False)


def downgrade() -> None:
    # Empty first: the old columns cannot hold these rows, and (on SQLite) the copy-and-move of a table
    # others refer to must not fire their ON DELETE actions on rows we meant to keep.
    op.execute(sa.text("DELETE FROM action_items"))
    op.execute(sa.text("DELETE FROM programmes"))

    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_items_programme_id"))
        batch_op.drop_index("ix_action_items_scope_status_due")
        batch_op.drop_constraint("uq_action_items_scope_number", type_="unique")
        batch_op.drop_column("owners")
        batch_op.drop_column("number")
        batch_op.drop_column("scope")
        batch_op.add_column(sa.Column("owner", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("owner_chat_id", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_programmes_scope_name_key", type_="unique")
        batch_op.alter_column(
            "name", existing_type=sa.String(length=64), type_=sa.String(length=255), existing_nullable=False
        )
        batch_op.drop_column("goal")
        batch_op.drop_column("name_key")
        batch_op.drop_column("scope")
        batch_op.add_column(sa.Column("bridge_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_programmes_bridge_id_bridges"), "bridges", ["bridge_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_programmes_bridge_id"), ["bridge_id"], unique=False)

    op.drop_table("action_counters")
